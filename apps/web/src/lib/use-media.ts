import { useEffect, useState } from "react";

/** Whether a CSS media query matches now, kept live. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(
    // No window on the server (src/prerender.tsx): the first client render corrects it.
    () => typeof window !== "undefined" && window.matchMedia(query).matches,
  );
  useEffect(() => {
    const mq = window.matchMedia(query);
    const on = () => setMatches(mq.matches);
    on();
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, [query]);
  return matches;
}

/** Below this width the app has its bottom navigation (styles.css, 720px breakpoint). */
export const PHONE_QUERY = "(max-width: 719px)";
