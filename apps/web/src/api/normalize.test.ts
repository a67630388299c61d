import { expect, test } from "bun:test";
import { toApiError } from "./client";
import { normalizeMarket, normalizeOrder, normalizePortfolio, normalizeTrade } from "./normalize";

test("error body becomes a readable ApiError", () => {
  const e = toApiError(422, {
    error: { code: "INSUFFICIENT_FUNDS", message: "not enough available balance" },
  });
  expect(e.code).toBe("INSUFFICIENT_FUNDS");
  expect(e.message).toBe("not enough available balance");
  expect(toApiError(500, "oops").message).toMatch(/server/);
});

test("market: short names and engine names", () => {
  expect(
    normalizeMarket({
      id: "a",
      title: "Q",
      category: "Cricket",
      yesPrice: 650,
      noPrice: 400,
      volume: 12,
      closeAt: 1e12,
      tick: 50,
    }),
  ).toMatchObject({ yesPrice: 650, noPrice: 400, volume: 12, tick: 50 });
  const m = normalizeMarket({
    market: {
      id: "b",
      title: "Q",
      bestYesBidPaise: 600,
      bestYesAskPaise: 650,
      volumeQty: 7,
      tickPaise: 50,
      status: "open",
    },
  });
  expect(m).toMatchObject({ id: "b", yesPrice: 650, noPrice: 400, volume: 7, status: "OPEN" });
});

test("portfolio: engine position view gives average prices", () => {
  const p = normalizePortfolio({
    balance: { availablePaise: 1500, lockedPaise: 650 },
    positions: [{ marketId: "m", yesQty: 10, noQty: 0, yesCostPaise: 6500, noCostPaise: 0 }],
  });
  expect(p.balance).toEqual({ available: 1500, locked: 650 });
  expect(p.positions[0]).toMatchObject({ yes: 10, no: 0, avgYesPrice: 650 });
});

test("orders and trades read the Paise-suffixed names", () => {
  expect(normalizeOrder({ id: "o", pricePaise: 650, quantity: 5, filledQty: 2, remainingQty: 3 }).price).toBe(
    650,
  );
  expect(normalizeTrade({ marketId: "m", seq: 9, yesPrice: 600, noPrice: 400, qty: 2, ts: 1 })).toMatchObject(
    { id: "9", price: 600 },
  );
});
