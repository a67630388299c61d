/**
 * The gap-free join of a market room: a socket gets the `book` snapshot (bookSeq S) and then every
 * `book:delta` with seq S+1, S+2, … and nothing older. While the snapshot is being fetched the socket
 * is "pending": market messages for it are buffered; deltas ≤ S are dropped; deltas this process saw
 * before the subscribe started and that are newer than S come from a small per-market ring.
 */
import type { BookDeltaMsg } from "@ox/contracts";

export interface FeedSocket {
  readonly id: string;
  readonly connected: boolean;
  emit(name: string, payload: unknown): unknown;
  join(room: string): unknown;
  leave(room: string): unknown;
}

type Msg = [name: string, payload: unknown];

interface Pending {
  socket: FeedSocket;
  snapshotSeq: number | null;
  buffer: Msg[];
}

interface MarketState {
  /** Last bookSeq this process saw on the events channel (−1: none yet). */
  lastSeq: number;
  ring: BookDeltaMsg[];
  pending: Map<string, Pending>;
}

export interface MarketFeedOptions {
  /** Emits to the sockets of a room on this process only (each process consumes all events). */
  emitToRoom(room: string, name: string, payload: unknown): void;
  /** Whether any socket of this process is in the room (a feed with none and nothing pending is dropped). */
  hasMembers(room: string): boolean;
  ringSize?: number;
}

export const marketRoom = (marketId: string) => `market:${marketId}`;

export function createMarketFeed(options: MarketFeedOptions) {
  const ringSize = options.ringSize ?? 1024;
  const markets = new Map<string, MarketState>();

  const state = (marketId: string) => {
    let s = markets.get(marketId);
    if (!s) {
      s = { lastSeq: -1, ring: [], pending: new Map() };
      markets.set(marketId, s);
    }
    return s;
  };

  function activate(marketId: string, s: MarketState, p: Pending) {
    s.pending.delete(p.socket.id);
    if (!p.socket.connected) return;
    const after = p.snapshotSeq ?? -1;
    for (const [name, payload] of p.buffer) {
      if (name === "book:delta" && (payload as BookDeltaMsg).seq <= after) continue;
      p.socket.emit(name, payload);
    }
    p.socket.join(marketRoom(marketId));
  }

  return {
    /** A market message from the events channel, in channel order. */
    publish(marketId: string, name: string, payload: unknown) {
      // Events come only for real markets, so this state is bounded by the market count; it keeps
      // the ring a lagging snapshot is bridged from. Subscribes never create state for unknown ids.
      const s = state(marketId);
      options.emitToRoom(marketRoom(marketId), name, payload);
      const delta = name === "book:delta" ? (payload as BookDeltaMsg) : null;
      if (delta) {
        s.lastSeq = delta.seq;
        s.ring.push(delta);
        // Trimmed in bulk, not by one at every delta (a shift of the whole ring each time): it holds
        // ringSize to 2 × ringSize deltas.
        if (s.ring.length >= 2 * ringSize) s.ring.splice(0, s.ring.length - ringSize);
      }
      if (s.pending.size === 0) return;
      for (const p of [...s.pending.values()]) {
        p.buffer.push([name, payload]);
        if (delta && p.snapshotSeq !== null && delta.seq > p.snapshotSeq) activate(marketId, s, p);
      }
    },

    /** Starts a (re)subscription; call `snapshot` with the fetched book's seq once it has been emitted. */
    begin(marketId: string, socket: FeedSocket) {
      socket.leave(marketRoom(marketId));
      const s = state(marketId);
      const p: Pending = { socket, snapshotSeq: null, buffer: [] };
      s.pending.set(socket.id, p);
      const beginSeq = s.lastSeq;
      return {
        /** True while this is still the socket's current subscription of this market. */
        get current() {
          return s.pending.get(socket.id) === p;
        },
        /**
         * Returns false when this process's history cannot bridge the snapshot to the live deltas
         * (the snapshot is older than the ring): fetch a fresh snapshot and call again.
         */
        snapshot(seq: number): boolean {
          if (beginSeq > seq) {
            // Deltas this process saw before the subscribe began and the snapshot does not include.
            const missed = s.ring.filter((d) => d.seq > seq && d.seq <= beginSeq);
            if (missed[0]?.seq !== seq + 1) return false;
            p.buffer = [...missed.map((d): Msg => ["book:delta", d]), ...p.buffer];
          }
          p.snapshotSeq = seq;
          if (s.lastSeq >= seq) activate(marketId, s, p);
          return true;
        },
        cancel() {
          if (s.pending.get(socket.id) === p) s.pending.delete(socket.id);
        },
      };
    },

    drop(socketId: string) {
      for (const s of markets.values()) s.pending.delete(socketId);
    },

    /** Forgets a market's state once no socket here follows it or is joining it. */
    release(marketId: string, socketId?: string) {
      const s = markets.get(marketId);
      if (s && socketId) s.pending.delete(socketId);
      if (s && s.pending.size === 0 && !options.hasMembers(marketRoom(marketId))) markets.delete(marketId);
    },

    /** Markets with state in this process. */
    size: () => markets.size,

    pendingCount: () => [...markets.values()].reduce((n, s) => n + s.pending.size, 0),
  };
}

export type MarketFeed = ReturnType<typeof createMarketFeed>;
