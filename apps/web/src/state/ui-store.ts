/** Client-only state: language (remembered) and short-lived toasts. */
import { create } from "zustand";

type Lang = "en" | "hi";
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
    return globalThis.localStorage?.getItem("ox.lang");
  } catch {
    return null;
  }
})();

let nextId = 1;

export const useUi = create<UiState>((set, get) => ({
  lang: stored === "hi" ? "hi" : "en",
  toasts: [],
  setLang: (lang) => {
    try {
      localStorage.setItem("ox.lang", lang);
    } catch {}
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
