/**
 * The retransmit timer of a shard process (packages/engine README "Shard processes", Retransmit).
 *
 * A shard re-sends its unacknowledged envelopes at recovery; without a restart, an envelope whose
 * stream entry was lost (Redis restarted without persistence: the streams and the ack hashes are
 * gone) would never arrive, and the order waiting for it would stay reserved forever. So, per link:
 * when the oldest unacknowledged envelope has not been acknowledged for `intervalMs`, the link's
 * whole unacked list is sent again (its successors too: the receiver logged them as GAPs), and the
 * link waits twice as long before the next try (up to `maxIntervalMs`) while nothing is acked, so
 * a receiver that is down is not flooded. Any ack progress resets the link. Receivers drop the
 * repeats by per-link seq, so a re-send is never wrong, only redundant.
 *
 * The interval must exceed an ack round trip (the receiver's batch + SHARD_ACK_EVERY_MS for its
 * hash write + the sender's next ack read), or a healthy link re-sends needlessly.
 */
import type { Envelope } from "@ox/engine/shards";

export interface Retransmitter {
  /** The envelopes to send again now (per link in seq order), given each link's unacked list. */
  due(unacked: ReadonlyMap<string, readonly Envelope[]>, now: number): Envelope[];
  /** Re-sends so far (envelopes), for stats and logs. */
  readonly resent: number;
}

export function createRetransmitter(options: { intervalMs: number; maxIntervalMs?: number }): Retransmitter {
  const { intervalMs } = options;
  const maxIntervalMs = options.maxIntervalMs ?? Math.max(intervalMs, 8 * intervalMs);
  /** Per link: the oldest unacked seq as last seen, since when, and the current wait. */
  const links = new Map<string, { head: number; since: number; wait: number }>();
  let resent = 0;
  return {
    get resent() {
      return resent;
    },
    due(unacked, now) {
      const out: Envelope[] = [];
      for (const [to, q] of unacked) {
        if (q.length === 0) {
          links.delete(to);
          continue;
        }
        const head = q[0].seq;
        const l = links.get(to);
        if (l === undefined || l.head !== head) {
          links.set(to, { head, since: now, wait: intervalMs });
          continue;
        }
        if (now - l.since < l.wait) continue;
        for (const e of q) out.push(e);
        resent += q.length;
        l.since = now;
        l.wait = Math.min(l.wait * 2, maxIntervalMs);
      }
      return out;
    },
  };
}
