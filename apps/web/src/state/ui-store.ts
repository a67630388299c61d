/** Client-only state: language (remembered) and short-lived toasts. */
import { create } from "zustand";
import { LANG_COOKIE, type Lang, langFromCookie } from "../lib/home-data";
export interface Toast {
  id: number;
  text: string;
  tone: "info" | "success" | "error";
}

interface UiState {
  lang: Lang;
  toasts: Toast[];
  setLang: (lang: Lang) => void;
  toast: (text: string, tone?: Toast["tone"]) => void;
  dismiss: (id: number) => void;
}

const stored = (() => {
  try {
    return globalThis.localStorage?.getItem("ox.lang") ?? langFromCookie(globalThis.document?.cookie);
  } catch {
    return null;
  }
})();

/**
 * The language as a cookie as well, for the server's pre-rendered `/` (src/prerender.tsx): set on
 * every change, and at start for a choice made before the cookie existed.
 */
function rememberInCookie(lang: Lang) {
  if (typeof document === "undefined" || langFromCookie(document.cookie) === lang) return;
  // biome-ignore lint/suspicious/noDocumentCookie: Cookie Store API is missing in older Safari/Firefox
  document.cookie = `${LANG_COOKIE}=${lang}; path=/; max-age=31536000; samesite=lax`;
}
if (stored === "hi" || stored === "en") rememberInCookie(stored);

let nextId = 1;

export const useUi = create<UiState>((set, get) => ({
  lang: stored === "hi" ? "hi" : "en",
  toasts: [],
  setLang: (lang) => {
    try {
      localStorage.setItem("ox.lang", lang);
    } catch {}
    rememberInCookie(lang);
    document.documentElement.lang = lang;
    set({ lang });
  },
  toast: (text, tone = "info") => {
    const id = nextId++;
    set({ toasts: [...get().toasts.slice(-2), { id, text, tone }] });
    setTimeout(() => get().dismiss(id), 4500);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
