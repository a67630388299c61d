/** A typed dictionary and a `t` that fills `{vars}`; the language lives in the UI store. */
import { useUi } from "../state/ui-store";
import { en, type MessageKey } from "./en";
import { hi } from "./hi";

export type Lang = "en" | "hi";
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, hi };
export type { MessageKey };

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const template = dictionaries[lang][key] ?? en[key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function useT(): T {
  const lang = useUi((s) => s.lang);
  return (key, vars) => translate(lang, key, vars);
}

/** A market's title in the current language: the admin's Hindi title in Hindi mode, if there is one. */
export function useMarketTitle(): (m: { title: string; titleHi?: string | null }) => string {
  const lang = useUi((s) => s.lang);
  return (m) => (lang === "hi" && m.titleHi ? m.titleHi : m.title);
}

/** The current language outside React (error texts built in callbacks). */
export function currentT(): T {
  const lang = useUi.getState().lang;
  return (key, vars) => translate(lang, key, vars);
}

const CATEGORIES: Record<string, MessageKey> = {
  cricket: "catCricket",
  politics: "catPolitics",
  economy: "catEconomy",
  crypto: "catCrypto",
  weather: "catWeather",
  entertainment: "catEntertainment",
  sports: "catSports",
  test: "catTest",
};

/** A market category in the current language; one authored outside the known list stays as written. */
export function categoryLabel(t: T, category: string): string {
  const key = CATEGORIES[category.trim().toLowerCase()];
  return key ? t(key) : category;
}

/** A market status (OPEN, CLOSED, RESOLVED, VOIDED) as words. */
export function statusLabel(t: T, status: string): string {
  const key = `status${status}`;
  return key in en ? t(key as MessageKey) : status;
}

/** An order's status (OPEN, FILLED, CANCELLED, EXPIRED, REJECTED) as words; an unknown one lower-cased. */
export function orderStatusLabel(t: T, status: string): string {
  const key = `orderStatus${status}`;
  return key in en ? t(key as MessageKey) : status.toLowerCase().replace(/_/g, " ");
}

/** A ledger entry's kind (BONUS, TRADE, PAYOUT…) as words; an unknown kind as written. */
export function txKindLabel(t: T, kind: string): string {
  const key = `tx${kind}`;
  return key in en ? t(key as MessageKey) : kind.replace(/_/g, " ").toLowerCase();
}

/** The locale that dates and times are written in for a language. */
export const localeOf = (lang: Lang) => (lang === "hi" ? "hi-IN" : "en-IN");

/** The text for a server error code, or null for a code this app does not know. */
export function errorCodeText(t: T, code: string): string | null {
  const key = `err_${code}`;
  return key in en ? t(key as MessageKey) : null;
}

/** Time left as "2d 23h" / "2 दिन 23 घंटे", "3h 12m", "4m 09s"; null once past. */
export function durationLabel(t: T, ms: number): string | null {
  if (ms <= 0) return null;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return t("durDays", { d, h });
  if (h > 0) return t("durHours", { h, m });
  return t("durMinutes", { m, s: sec.toString().padStart(2, "0") });
}
