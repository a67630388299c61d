import { currentT, durationLabel, localeOf, type T } from "../i18n";
import { useUi } from "../state/ui-store";

const currentLocale = () => localeOf(useUi.getState().lang);

/** Time left until `closeAt`: "2d 4h" / "2 दिन 4 घंटे", "3h 12m", "4m 09s", or null once closed. */
export function timeLeft(closeAtMs: number, nowMs: number, t: T = currentT()): string | null {
  return durationLabel(t, closeAtMs - nowMs);
}

export function formatDateTime(ms: number, locale = currentLocale()): string {
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toLocaleString(locale, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    // hi-IN would write "am"/"pm" in Latin letters: a 24-hour clock reads the same in both.
    hourCycle: locale.startsWith("hi") ? "h23" : undefined,
  });
}

export function formatTime(ms: number, locale = currentLocale()): string {
  return new Date(ms).toLocaleTimeString(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: locale.startsWith("hi") ? "h23" : undefined,
  });
}
