/**
 * The home page rendered to HTML on the server (issue 13's phone budget): the API sends `/` with
 * this markup inside `#root` and the list's data beside it, so a phone shows the market list as
 * soon as the document and its stylesheet arrive, not after React has downloaded and run. It is the
 * app's own components, so the markup is the app's; `main.tsx` then mounts the app over it with a
 * fresh root (no hydration: the countdowns, and the language if only localStorage knows it, may
 * differ by then, and a replaced DOM cannot mismatch). Built by `vite build --ssr` into
 * `dist-server/` (never served); the API imports it at run time (apps/api/src/static-web.ts).
 */
import type { Market } from "@ox/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { renderToString } from "react-dom/server";
import { createQueryClient, keys } from "./api/queries";
import { App } from "./app";
import { HOME_DATA_ID, homeDataJson, langFromCookie } from "./lib/home-data";
import { useRoute } from "./state/router";
import { useUi } from "./state/ui-store";

const ROOT = '<div id="root"></div>';

/**
 * On the server React reads a store through useSyncExternalStore's server snapshot, which zustand
 * takes from the store's initial state object: the render's state is written there. This process
 * renders nothing else, and a render is synchronous, so it holds for exactly one request.
 */
function serverState<S extends object>(store: { getInitialState: () => S }, state: Partial<S>) {
  Object.assign(store.getInitialState(), state);
}

const STYLESHEET = /<link rel="stylesheet"[^>]*? href="([^"]+)"[^>]*>/;

/**
 * The build's stylesheet link as an inline `<style nonce>` (the CSP allows it by that nonce), so the
 * first paint needs no second round trip; kept as a link without a nonce, or without the file.
 */
function inlineStylesheet(html: string, nonce?: string, readAsset?: (href: string) => string | null) {
  const href = STYLESHEET.exec(html)?.[1];
  const css = href && nonce && /^[\w+/=]+$/.test(nonce) ? readAsset?.(href) : null;
  if (!css || css.includes("</")) return html;
  return html.replace(STYLESHEET, () => `<style nonce="${nonce}">${css}</style>`);
}

/**
 * The built `index.html` as `/` for an anonymous visitor (the session is the client's to ask) in the
 * language of the request's cookie (else English), with `markets` listed and the stylesheet inline.
 * Null when the page has no empty `#root` to fill (a build this code does not know).
 */
export function renderHomePage(input: {
  indexHtml: string;
  markets: Market[];
  cookie: string | null;
  /** The answer's CSP style nonce, and the build's files by href: together they inline the CSS. */
  styleNonce?: string;
  readAsset?: (href: string) => string | null;
}) {
  const { indexHtml, markets } = input;
  if (!indexHtml.includes(ROOT)) return null;
  const lang = langFromCookie(input.cookie) ?? "en";
  const queryClient = createQueryClient();
  queryClient.setQueryData(keys.markets, markets);
  serverState(useUi, { lang, toasts: [] });
  serverState(useRoute, { path: "/", search: "" });
  const app = renderToString(
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>,
  );
  queryClient.clear();
  const data = `<script id="${HOME_DATA_ID}" type="application/json">${homeDataJson(markets)}</script>`;
  return inlineStylesheet(indexHtml, input.styleNonce, input.readAsset)
    .replace(/<html lang="[^"]*"/, `<html lang="${lang}"`)
    .replace(ROOT, () => `<div id="root">${app}</div>${data}`);
}
