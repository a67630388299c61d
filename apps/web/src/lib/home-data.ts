/**
 * What the server's pre-rendered `/` hands to the app (see `src/prerender.tsx`): the market list it
 * rendered, as JSON in a `<script type="application/json">`, and the language cookie it rendered in.
 * Shared by the server render and `main.tsx`; no React here, so the entry chunk stays small.
 */
import type { Market } from "@ox/client";

export const HOME_DATA_ID = "ox-home-data";
/** The language, as a cookie too (the server cannot read localStorage): `en` or `hi`. */
export const LANG_COOKIE = "ox.lang";

export type Lang = "en" | "hi";

/** The language a Cookie header names, or null when it names none we know. */
export function langFromCookie(cookie: string | null | undefined): Lang | null {
  const m = /(?:^|;\s*)ox\.lang=(en|hi)(?:;|$)/.exec(cookie ?? "");
  return m ? (m[1] as Lang) : null;
}

/** The script element's text for `markets`: JSON with every `<` escaped, so no `</script>` ends it early. */
export function homeDataJson(markets: Market[]): string {
  return JSON.stringify(markets).replace(/</g, "\\u003c");
}

/** The list the server rendered into this page, once (the element is removed), or null. */
export function takeHomeData(): Market[] | null {
  const el = globalThis.document?.getElementById(HOME_DATA_ID);
  if (!el) return null;
  el.remove();
  try {
    const data: unknown = JSON.parse(el.textContent ?? "");
    return Array.isArray(data) ? (data as Market[]) : null;
  } catch {
    return null;
  }
}
