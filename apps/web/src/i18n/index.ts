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
