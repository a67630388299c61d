/** Time left until `closeAt` as a short label: "2d 4h", "3h 12m", "4m 09s", or null once closed. */
export function timeLeft(closeAtMs: number, nowMs: number): string | null {
  const ms = closeAtMs - nowMs;
  if (ms <= 0) return null;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${sec.toString().padStart(2, "0")}s`;
}

export function formatDateTime(ms: number, locale = "en-IN"): string {
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toLocaleString(locale, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatTime(ms: number, locale = "en-IN"): string {
  return new Date(ms).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
