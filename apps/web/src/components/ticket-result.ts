import { ApiError } from "../api/client";
import type { Order } from "../api/types";
import type { T } from "../i18n";

export interface TicketMessage {
  tone: "success" | "info" | "error";
  title: string;
  detail?: string;
}

/** "INSUFFICIENT_FUNDS" → "Insufficient funds" when the server sends no message. */
export function humanizeCode(code: string): string {
  const s = code
    .replace(/^(ORDER|RISK|MATCHING|ENGINE)_/, "")
    .replace(/_/g, " ")
    .toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const REJECTED = new Set(["REJECTED"]);
const PENDING = new Set(["PENDING", "ACCEPTED", "QUEUED", "RECEIVED"]);

/** Turns a POST /orders answer (or its error) into what the ticket shows. */
export function describeOrderResult(
  t: T,
  result: { order?: Order } | undefined,
  error: unknown,
): TicketMessage | null {
  if (error) {
    if (error instanceof ApiError) {
      const msg = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      return {
        tone: "error",
        title: t("rejected"),
        detail: `${msg}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ""}`,
      };
    }
    return { tone: "error", title: t("rejected"), detail: String(error) };
  }
  if (!result) return null;
  const o = result.order;
  if (!o || PENDING.has(o.status)) return { tone: "info", title: t("orderAccepted") };
  if (REJECTED.has(o.status)) {
    const code = o.code ?? o.rejectReason ?? o.reason ?? "";
    const why = o.reason && o.reason !== code ? o.reason : code ? humanizeCode(code) : "";
    return {
      tone: "error",
      title: t("rejected"),
      detail: why && code && why !== code ? `${why} (${code})` : why,
    };
  }
  return {
    tone: o.filledQty > 0 ? "success" : "info",
    title: t("orderDone", {
      status: o.status.toLowerCase().replace(/_/g, " "),
      filled: o.filledQty,
      qty: o.quantity ?? o.filledQty + o.remainingQty,
    }),
  };
}
