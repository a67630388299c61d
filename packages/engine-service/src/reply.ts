import type { CommandReply, ReplyFill } from "@ox/contracts/pipeline";
import type { Command, Result } from "@ox/engine";

export function replyOf(envelopeId: string, command: Command, result: Result): CommandReply {
  const events = result.events;
  const reply: CommandReply = {
    id: envelopeId,
    code: result.code,
    duplicate: result.duplicate === true,
    order: result.order ?? null,
    lastSeq: events.length > 0 ? events[events.length - 1].seq : 0,
  };
  if (command.type === "PLACE_ORDER" || command.type === "AMEND_ORDER") {
    const fills: ReplyFill[] = [];
    for (const event of events) {
      if (event.type !== "TRADE" || event.takerOrderId !== command.orderId) continue;
      fills.push({
        seq: event.seq,
        kind: event.kind,
        qty: event.qty,
        pricePaise: event.takerPricePaise,
        feePaise: event.takerFeePaise,
        makerOrderId: event.makerOrderId,
      });
    }
    reply.fills = fills;
  }
  if (command.type === "CANCEL_ALL")
    reply.cancelled = events.flatMap((e) => (e.type === "ORDER_CLOSED" ? [e.orderId] : []));
  return reply;
}
