/**
 * Matching: every (user, market) holding, flat. Shares live with their market in the matching core
 * (README "Two cores"), so only cash crosses to risk. A slot is allocated the first time a user
 * touches a market and never freed; its eight numbers sit side by side in one Float64Array (one cache line),
 * found through an open-addressing table keyed by the (user, market) handle pair. Hundreds of
 * thousands of holdings are then a few arrays instead of as many objects for the GC to trace.
 */

export const YES_QTY = 0;
export const NO_QTY = 1;
/** Shares locked by open SELL orders (included in the held quantity). */
export const YES_LOCKED = 2;
export const NO_LOCKED = 3;
/** Cost basis of held shares (average-cost method). */
export const YES_COST = 4;
export const NO_COST = 5;
/** Remaining qty of open BUY orders (position-limit check). */
export const YES_BUY_OPEN = 6;
export const NO_BUY_OPEN = 7;
export const STRIDE = 8;

export class PositionTable {
  /** Slot s's fields are data[s * STRIDE + FIELD]. Replaced when it grows: re-read after `slotOf`. */
  data = new Float64Array(STRIDE * 1024);
  /** Slot → market handle. */
  marketOf = new Int32Array(1024);
  /** Slot → the same user's next slot in first-touch order (-1 = last); heads are on Trader. */
  nextOfUser = new Int32Array(1024);
  count = 0;
  /** Entries of three Int32s: user handle + 1 (0 = empty), market handle, slot. */
  private table = new Int32Array(3 * 2048);
  private mask = 2047;

  /** The slot of (user, market), or -1 if that user never touched that market. */
  find(user: number, market: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let i = pairHash(user, market) & mask; ; i = (i + 1) & mask) {
      const u = t[i * 3];
      if (u === 0) return -1;
      if (u === user + 1 && t[i * 3 + 1] === market) return t[i * 3 + 2];
    }
  }

  /** The slot of (user, market), allocated (all zero) on first use. */
  slotOf(user: number, market: number): number {
    const found = this.find(user, market);
    if (found >= 0) return found;
    const slot = this.count++;
    if (slot === this.marketOf.length) this.growSlots();
    this.marketOf[slot] = market;
    this.nextOfUser[slot] = -1;
    this.insert(user, market, slot);
    return slot;
  }

  private insert(user: number, market: number, slot: number): void {
    if (this.count * 2 > this.mask) this.growTable();
    this.insertRaw(user, market, slot);
  }

  private growSlots(): void {
    const n = this.marketOf.length * 2;
    const data = new Float64Array(n * STRIDE);
    data.set(this.data);
    this.data = data;
    const marketOf = new Int32Array(n);
    marketOf.set(this.marketOf);
    this.marketOf = marketOf;
    const nextOfUser = new Int32Array(n);
    nextOfUser.set(this.nextOfUser);
    this.nextOfUser = nextOfUser;
  }

  /** A user's slots in first-touch order, from the account's first slot. */
  chain(first: number): number[] {
    const out: number[] = [];
    for (let slot = first; slot >= 0; slot = this.nextOfUser[slot]) out.push(slot);
    return out;
  }

  private growTable(): void {
    const old = this.table;
    const entries = (old.length / 3) * 2;
    this.table = new Int32Array(entries * 3);
    this.mask = entries - 1;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i] !== 0) this.insertRaw(old[i] - 1, old[i + 1], old[i + 2]);
    }
  }

  private insertRaw(user: number, market: number, slot: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = pairHash(user, market) & mask;
    while (t[i * 3] !== 0) i = (i + 1) & mask;
    t[i * 3] = user + 1;
    t[i * 3 + 1] = market;
    t[i * 3 + 2] = slot;
  }
}

function pairHash(user: number, market: number): number {
  let h = Math.imul(user, 0x9e3779b1) ^ Math.imul(market + 0x632be5ab, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
