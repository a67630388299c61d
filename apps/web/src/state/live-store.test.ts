import { beforeEach, expect, test } from "bun:test";
import { ladder } from "../lib/book";
import { useLive } from "./live-store";

beforeEach(() => useLive.setState({ books: {}, tickers: {}, trades: {} }));

test("deltas before any snapshot are dropped; the snapshot covers them", () => {
  expect(useLive.getState().delta("m", { seq: 5, outcome: "YES", price: 500, qty: 1 })).toBe(true);
  expect(useLive.getState().books.m).toBeUndefined();
});

test("consecutive deltas apply; a gap asks for a re-subscribe and keeps the last good book", () => {
  const s = useLive.getState();
  s.snapshot("m", { seq: 7, yes: [{ price: 500, qty: 10 }], no: [] });
  expect(s.delta("m", { seq: 8, outcome: "NO", price: 450, qty: 4 })).toBe(true);
  expect(s.delta("m", { seq: 10, outcome: "NO", price: 450, qty: 9 })).toBe(false);
  const book = useLive.getState().books.m;
  expect(book.seq).toBe(8);
  expect(ladder(book, "NO")).toEqual([{ price: 450, qty: 4 }]);
});

test("an older HTTP snapshot never replaces a newer socket one", () => {
  const s = useLive.getState();
  s.snapshot("m", { seq: 20, yes: [{ price: 600, qty: 1 }], no: [] });
  s.snapshot("m", { seq: 12, yes: [], no: [] });
  expect(useLive.getState().books.m.seq).toBe(20);
});

test("tickers merge without erasing fields the update leaves out; trades dedupe by id", () => {
  const s = useLive.getState();
  s.ticker({ marketId: "m", yesPrice: 650, volume: 10 });
  s.ticker({ marketId: "m", volume: 12, yesPrice: undefined });
  expect(useLive.getState().tickers.m).toMatchObject({ yesPrice: 650, volume: 12 });
  s.trade("m", { id: "1", price: 600, qty: 2, ts: 1 });
  s.trade("m", { id: "1", price: 600, qty: 2, ts: 1 });
  expect(useLive.getState().trades.m).toHaveLength(1);
});
