import type { CommandReply, CommandReplyBatch, ReplyFill } from "@ox/contracts/pipeline";
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

/** A completed command's reply and where it goes (null: nobody waits, e.g. a timer's command). */
export interface AddressedReply {
  replyTo: string | null;
  reply: CommandReply;
}

/**
 * A batch's replies as they are published: one message per reply channel (API instance), its
 * replies in order, a lone reply as itself and several as a CommandReplyBatch (the engine gateway
 * reads both). Both the single engine and every shard send them so.
 */
export function replyMessages(
  replies: readonly AddressedReply[],
): [string, CommandReply | CommandReplyBatch][] {
  const byChannel = new Map<string, CommandReply[]>();
  for (const { replyTo, reply } of replies) {
    if (!replyTo) continue;
    const list = byChannel.get(replyTo);
    if (list) list.push(reply);
    else byChannel.set(replyTo, [reply]);
  }
  return [...byChannel].map(([channel, list]) => [channel, list.length === 1 ? list[0] : { replies: list }]);
}
