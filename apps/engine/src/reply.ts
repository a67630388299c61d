import type { CommandReply } from "@ox/contracts/pipeline";
import type { Result } from "@ox/engine";

export function replyOf(envelopeId: string, result: Result): CommandReply {
  const events = result.events;
  return {
    id: envelopeId,
    code: result.code,
    duplicate: result.duplicate === true,
    order: result.order ?? null,
    lastSeq: events.length > 0 ? events[events.length - 1].seq : 0,
  };
}
