import { type LimitOrderOptions, OrderBook, Side } from "nodejs-order-book";
import type { Tape } from "./tape.ts";

type TimeInForce = NonNullable<LimitOrderOptions["timeInForce"]>;
const GTC = "GTC" as TimeInForce;
const IOC = "IOC" as TimeInForce;
const FOK = "FOK" as TimeInForce;

/**
 * The same order flow for nodejs-order-book, in YES-price terms: one OrderBook per market, a bid
 * (BUY YES / SELL NO) is a buy at the YES price, an ask a sell. It keeps no balances, positions,
 * fees or escrow and has no STP by owner, so it does strictly less work per command.
 */

type PeerOp =
  | {
      k: 0;
      book: number;
      side: Side;
      id: string;
      price: number;
      size: number;
      tif: TimeInForce;
      postOnly: boolean;
    }
  | { k: 1; book: number; side: Side; size: number }
  | { k: 2; book: number; id: string };

export interface Peer {
  run(from: number, to: number): void;
  readonly count: number;
}

export function preparePeer(commands: Tape, warmup: Tape): { warm: Peer; measured: Peer } {
  const books = new Map<string, number>();
  const marketOf = new Map<string, number>();
  const translate = (cmds: Tape): PeerOp[] => {
    const ops: PeerOp[] = [];
    for (let i = 0; i < cmds.count; i++) {
      const c = cmds.at(i);
      if (c.type === "PLACE_ORDER") {
        let book = books.get(c.marketId);
        if (book === undefined) {
          book = books.size;
          books.set(c.marketId, book);
        }
        marketOf.set(c.orderId, book);
        const isYes = c.outcome === "YES";
        const isBid = (c.side === "BUY") === isYes;
        const side = isBid ? Side.BUY : Side.SELL;
        if (c.orderType === "MARKET") {
          ops.push({ k: 1, book, side, size: c.qty });
        } else {
          const price = isYes ? (c.pricePaise as number) : 1000 - (c.pricePaise as number);
          const tif = c.tif === "IOC" ? IOC : c.tif === "FOK" ? FOK : GTC;
          ops.push({
            k: 0,
            book,
            side,
            id: c.orderId,
            price,
            size: c.qty,
            tif,
            postOnly: c.postOnly === true,
          });
        }
      } else if (c.type === "CANCEL_ORDER") {
        const book = marketOf.get(c.orderId);
        if (book !== undefined) ops.push({ k: 2, book, id: c.orderId });
      }
    }
    return ops;
  };
  const warmOps = translate(warmup);
  const measuredOps = translate(commands);
  const obs: OrderBook[] = [];
  for (let i = 0; i < books.size; i++) obs.push(new OrderBook());
  const runner = (ops: PeerOp[]): Peer => ({
    count: ops.length,
    run(from, to) {
      for (let i = from; i < to; i++) {
        const op = ops[i];
        const ob = obs[op.book];
        if (op.k === 0) {
          ob.limit({
            side: op.side,
            id: op.id,
            price: op.price,
            size: op.size,
            timeInForce: op.tif,
            postOnly: op.postOnly,
          });
        } else if (op.k === 1) {
          ob.market({ side: op.side, size: op.size });
        } else {
          ob.cancel(op.id);
        }
      }
    },
  });
  return { warm: runner(warmOps), measured: runner(measuredOps) };
}
