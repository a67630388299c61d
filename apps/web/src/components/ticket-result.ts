import type { PlaceOrderAnswer } from "@ox/client";
import { ApiError } from "../api/client";
import { orderStatusLabel, type T } from "../i18n";

export interface TicketMessage {
  tone: "success" | "info" | "error";
  title: string;
  detail?: string;
  /** A way on from the message, e.g. Add money after INSUFFICIENT_FUNDS. */
  action?: { href: string; label: string };
}

/** Turns a POST /orders answer (or its error) into what the ticket shows. */
export function describeOrderResult(
  t: T,
  result: PlaceOrderAnswer | undefined,
  error: unknown,
): TicketMessage | null {
  if (error) {
    if (error instanceof ApiError && error.code === "INSUFFICIENT_FUNDS")
      return {
        tone: "error",
        title: t("rejected"),
        detail: t("errInsufficientFunds"),
        action: { href: "/wallet", label: t("addMoney") },
      };
    if (error instanceof ApiError && error.code === "INSUFFICIENT_SHARES")
      return { tone: "error", title: t("rejected"), detail: t("errInsufficientShares") };
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
  // Queued: the engine had not answered in time (202); the socket's order events follow.
  if (o.status === "PENDING") return { tone: "info", title: t("orderAccepted") };
  // The engine's refusals are 4xx errors with a code (above); a REJECTED order body has none.
  if (o.status === "REJECTED") return { tone: "error", title: t("rejected") };
  return {
    tone: o.filledQty > 0 ? "success" : "info",
    title: t("orderDone", {
      status: orderStatusLabel(t, o.status),
      filled: o.filledQty,
      qty: o.quantity,
    }),
  };
}
