/** The page's one API client (@ox/client): same origin, the session cookie sent by the browser. */
import { ApiError, createClient } from "@ox/client";
import { currentT, errorCodeText } from "../i18n";

export { ApiError };
export const api = createClient();

/**
 * What a person reads for a failed call, in the current language: the text for the server's error
 * code (every code of @ox/contracts ERROR_CODES has one in both dictionaries), else the server's message.
 */
export function errorMessage(e: unknown): string {
  const t = currentT();
  if (e instanceof ApiError) {
    if (e.code === "NETWORK") return t("errNetwork");
    if (e.code === "HTTP_ERROR")
      return e.status === 401
        ? t("err_UNAUTHENTICATED")
        : e.status >= 500
          ? t("err_INTERNAL")
          : t("errHttp", { status: e.status });
    return errorCodeText(t, e.code) ?? e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
