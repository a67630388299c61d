/** The page's one API client (@ox/client): same origin, the session cookie sent by the browser. */
import { ApiError, createClient } from "@ox/client";

export { ApiError };
export const api = createClient();

/** What a person reads for a failed call: the server's message, or why there was none. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === "NETWORK") return "Can't reach the server. Check your connection and try again.";
    if (e.code === "HTTP_ERROR")
      return e.status === 401
        ? "Please log in again."
        : e.status >= 500
          ? "The server had a problem. Try again."
          : `Request failed (${e.status})`;
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
