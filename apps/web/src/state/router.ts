/** A tiny history router: the path lives in a store; links call `navigate`. */
import { create } from "zustand";

export const useRoute = create<{ path: string; search: string }>(() => ({
  path: globalThis.location?.pathname ?? "/",
  search: globalThis.location?.search ?? "",
}));

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const url = new URL(to, location.origin);
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  useRoute.setState({ path: url.pathname, search: url.search });
  window.scrollTo(0, 0);
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", () =>
    useRoute.setState({ path: location.pathname, search: location.search }),
  );
}

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "market"; id: string }
  | { name: "portfolio" }
  | { name: "wallet" }
  | { name: "settings" }
  | { name: "admin"; tab: string }
  | { name: "notFound" };

export function matchRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: "home" };
  const [head, second] = parts;
  if (head === "login") return { name: "login" };
  if (head === "markets" && second) return { name: "market", id: second };
  if (head === "portfolio") return { name: "portfolio" };
  if (head === "wallet") return { name: "wallet" };
  if (head === "settings") return { name: "settings" };
  if (head === "admin") return { name: "admin", tab: second ?? "kyc" };
  return { name: "notFound" };
}
