import type { OrderView, ResultCode } from "./types.ts";

/**
 * The idempotency memory of AMEND_ORDER (SEMANTICS.md "AMEND_ORDER"): each (user, clientAmendId)
 * with the first result's code and the order's view as that amend left it (null when there was no
 * order to view), remembered with the engine clock. Forgotten after the same window as
 * clientOrderIds (dedupe.ts), in command time; resolution does not forget them (an amend of a
 * resolved market's order is refused anyway). Its own namespace: a clientAmendId never collides
 * with a clientOrderId.
 */
export interface AmendRecord {
  code: ResultCode;
  view: OrderView | null;
  at: number;
}

export class AmendMemory {
  /** `${user handle}\u0000${clientAmendId}` → the first result. */
  readonly records = new Map<string, AmendRecord>();
  private readonly queueAt: number[] = [];
  private readonly queueKey: string[] = [];
  private head = 0;
  clock = 0;
  constructor(readonly windowMs: number) {}

  static key(user: number, cid: string): string {
    return `${user}\u0000${cid}`;
  }

  /** A command with this ts arrived: move the clock and forget what fell out of the window. */
  advance(ts: number): void {
    if (ts <= this.clock) return;
    this.clock = ts;
    const limit = ts - this.windowMs;
    let h = this.head;
    while (h < this.queueAt.length && this.queueAt[h] <= limit) {
      const key = this.queueKey[h];
      if (this.records.get(key)?.at === this.queueAt[h]) this.records.delete(key);
      h++;
    }
    this.head = h;
    if (h > 1024 && h * 2 > this.queueAt.length) {
      this.queueAt.splice(0, h);
      this.queueKey.splice(0, h);
      this.head = 0;
    }
  }

  recall(user: number, cid: string): AmendRecord | undefined {
    return this.records.get(AmendMemory.key(user, cid));
  }

  remember(user: number, cid: string, code: ResultCode, view: OrderView | null): void {
    this.put(AmendMemory.key(user, cid), { code, view: view === null ? null : { ...view }, at: this.clock });
  }

  /** Restore one entry (snapshot); entries must come in ascending `at`. */
  put(key: string, r: AmendRecord): void {
    this.records.set(key, r);
    this.queueAt.push(r.at);
    this.queueKey.push(key);
  }

  get size(): number {
    return this.records.size;
  }
}
