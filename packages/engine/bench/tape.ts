import type { Command, PlaceOrderCommand } from "../src/index.ts";

/**
 * The measured commands stored compactly (typed-array columns, ids as numbers) and turned back into
 * command objects one batch at a time, outside the timed region. Holding two million command objects
 * for the whole run would make every major GC mark them, so the harness, not the engine, would pay.
 * Rebuilt commands go through JSON like the engine service's input, so ids are flat fresh strings
 * (JavaScriptCore would otherwise hand the engine ropes from the concatenations that make them).
 */

const PLACE = 0;
const CANCEL = 1;
const OUTCOMES = ["YES", "NO"] as const;
const SIDES = ["BUY", "SELL"] as const;
const TYPES = ["LIMIT", "MARKET"] as const;
const TIFS = [undefined, "GTC", "IOC", "FOK"] as const;

export class Tape {
  count = 0;
  private kind = new Uint8Array(1024);
  private order = new Int32Array(1024);
  private user = new Int32Array(1024);
  private market = new Int32Array(1024);
  /** bit 0 NO, bit 1 SELL, bit 2 MARKET, bits 3-4 tif index, bit 5 postOnly. */
  private flags = new Uint8Array(1024);
  private price = new Int32Array(1024);
  private qty = new Int32Array(1024);
  private maxCost = new Int32Array(1024);
  private ts = new Float64Array(1024);

  private grow(): void {
    const n = this.kind.length * 2;
    const g = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kind = g(this.kind, (k) => new Uint8Array(k));
    this.order = g(this.order, (k) => new Int32Array(k));
    this.user = g(this.user, (k) => new Int32Array(k));
    this.market = g(this.market, (k) => new Int32Array(k));
    this.flags = g(this.flags, (k) => new Uint8Array(k));
    this.price = g(this.price, (k) => new Int32Array(k));
    this.qty = g(this.qty, (k) => new Int32Array(k));
    this.maxCost = g(this.maxCost, (k) => new Int32Array(k));
    this.ts = g(this.ts, (k) => new Float64Array(k));
  }

  /** Stores one generated command (ids of the form o<n>, u<n>, m<n>). */
  push(c: Command): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    const num = (id: string) => Number(id.slice(1));
    this.ts[i] = c.ts;
    if (c.type === "CANCEL_ORDER") {
      this.kind[i] = CANCEL;
      this.order[i] = num(c.orderId);
      this.user[i] = num(c.userId);
      return;
    }
    if (c.type !== "PLACE_ORDER") throw new Error(`tape: cannot store ${c.type}`);
    this.kind[i] = PLACE;
    this.order[i] = num(c.orderId);
    this.user[i] = num(c.userId);
    this.market[i] = num(c.marketId);
    this.flags[i] =
      (c.outcome === "NO" ? 1 : 0) |
      (c.side === "SELL" ? 2 : 0) |
      (c.orderType === "MARKET" ? 4 : 0) |
      (TIFS.indexOf(c.tif as (typeof TIFS)[number]) << 3) |
      (c.postOnly === true ? 32 : 0);
    this.price[i] = c.pricePaise === undefined ? -1 : c.pricePaise;
    this.qty[i] = c.qty;
    this.maxCost[i] = c.maxCostPaise === undefined ? -1 : c.maxCostPaise;
  }

  /**
   * Rebuilds commands [from, to) into out[0 ..] as a queue consumer would get them: through
   * JSON.stringify / JSON.parse (flat, fresh strings; absent optional fields). Returns how many.
   */
  fill(from: number, to: number, out: Command[]): number {
    let text = "[";
    for (let i = from; i < to; i++) text += (i === from ? "" : ",") + this.json(i);
    const parsed = JSON.parse(`${text}]`) as Command[];
    for (let i = 0; i < parsed.length; i++) out[i] = parsed[i];
    return parsed.length;
  }

  /** Command i as JSON.stringify(this.at(i)) would write it. */
  private json(i: number): string {
    const head = `{"type":"${this.kind[i] === CANCEL ? "CANCEL_ORDER" : "PLACE_ORDER"}","ts":${this.ts[i]}`;
    if (this.kind[i] === CANCEL) return `${head},"userId":"u${this.user[i]}","orderId":"o${this.order[i]}"}`;
    const f = this.flags[i];
    let c =
      `${head},"orderId":"o${this.order[i]}","userId":"u${this.user[i]}","marketId":"m${this.market[i]}"` +
      `,"outcome":"${OUTCOMES[f & 1]}","side":"${SIDES[(f >> 1) & 1]}","orderType":"${TYPES[(f >> 2) & 1]}"`;
    if (this.price[i] >= 0) c += `,"pricePaise":${this.price[i]}`;
    c += `,"qty":${this.qty[i]}`;
    const tif = TIFS[(f >> 3) & 3];
    if (tif !== undefined) c += `,"tif":"${tif}"`;
    if (f & 32) c += `,"postOnly":true`;
    if (this.maxCost[i] >= 0) c += `,"maxCostPaise":${this.maxCost[i]}`;
    return `${c}}`;
  }

  at(i: number): Command {
    const ts = this.ts[i];
    if (this.kind[i] === CANCEL) {
      return { type: "CANCEL_ORDER", ts, userId: `u${this.user[i]}`, orderId: `o${this.order[i]}` };
    }
    const f = this.flags[i];
    const c: PlaceOrderCommand = {
      type: "PLACE_ORDER",
      ts,
      orderId: `o${this.order[i]}`,
      userId: `u${this.user[i]}`,
      marketId: `m${this.market[i]}`,
      outcome: OUTCOMES[f & 1],
      side: SIDES[(f >> 1) & 1],
      orderType: TYPES[(f >> 2) & 1],
      pricePaise: this.price[i] < 0 ? undefined : this.price[i],
      qty: this.qty[i],
    };
    const tif = TIFS[(f >> 3) & 3];
    if (tif !== undefined) c.tif = tif;
    if (f & 32) c.postOnly = true;
    if (this.maxCost[i] >= 0) c.maxCostPaise = this.maxCost[i];
    return c;
  }
}
