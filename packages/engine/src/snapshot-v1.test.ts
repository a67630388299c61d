import { describe, expect, test } from "bun:test";
import { restoreEngine } from "./engine.ts";

/**
 * Written by the engine before closed orders stopped being kept (a1/b1 filled with clientOrderIds,
 * a2 and b2 resting, a3 rejected with a clientOrderId).
 */
const V1 =
  '{"v":1,"seq":27,"credits":200000,"debits":0,"fees":0,"refs":["r-a","r-b"],"users":[["a",97800,1200,[[0,2,0,0,0,1000,0,3,0]],[["k1",0],["k3",2],["k4",4]]],["b",98400,600,[[0,0,2,0,0,0,1000,2,0]],[["k2",1]]]],"markets":[["m",50,10000,5000,0,0,null,"OPEN",null,2,2000,4,500,2]],"orders":[["a1",0,0,"m","k1","YES","BUY","LIMIT","GTC",false,500,2,null,1005,2,0,1000,0,"FILLED",null,6,500,-1,true],["b1",1,0,"m","k2","NO","BUY","LIMIT","GTC",false,500,2,null,1006,2,0,1000,0,"FILLED",null,10,500,-1,true],["a2",0,0,"m","k3","YES","BUY","LIMIT","GTC",false,400,3,null,1007,0,3,0,0,"OPEN",null,19,400,-1,true],["b2",1,0,"m",null,"YES","BUY","LIMIT","GTC",false,300,2,null,1009,0,2,0,0,"OPEN",null,24,300,-1,true],["a3",0,0,"m","k4","YES","BUY","LIMIT","GTC",false,7,2,null,1008,0,0,0,0,"REJECTED","INVALID_PRICE",0,0,-1,false]]}';

describe("version-1 snapshots", () => {
  test("restore: open orders rest, closed ones answer only as idempotency records", () => {
    const e = restoreEngine(new TextEncoder().encode(V1));
    expect(e.lastSeq).toBe(27);
    expect(e.openOrders("a").map((o) => o.orderId)).toEqual(["a2"]);
    expect(e.openOrders("b").map((o) => o.orderId)).toEqual(["b2"]);
    expect(e.order("a1")).toBeUndefined();
    expect(e.book("m")?.yes).toEqual([
      { pricePaise: 400, qty: 3 },
      { pricePaise: 300, qty: 2 },
    ]);
    const place = { type: "PLACE_ORDER", ts: 2_000, marketId: "m", outcome: "YES", side: "BUY" } as const;
    const filled = e.apply({
      ...place,
      orderId: "x1",
      userId: "a",
      clientOrderId: "k1",
      orderType: "LIMIT",
      qty: 1,
      pricePaise: 500,
    });
    expect(filled).toMatchObject({ code: "OK", duplicate: true, events: [] });
    expect(filled.order).toMatchObject({
      orderId: "a1",
      status: "FILLED",
      filledQty: 2,
      filledValuePaise: 1000,
    });
    const rejected = e.apply({
      ...place,
      orderId: "x2",
      userId: "a",
      clientOrderId: "k4",
      orderType: "LIMIT",
      qty: 1,
      pricePaise: 500,
    });
    expect(rejected).toMatchObject({ code: "INVALID_PRICE", duplicate: true });
    const open = e.apply({
      ...place,
      orderId: "x3",
      userId: "a",
      clientOrderId: "k3",
      orderType: "LIMIT",
      qty: 1,
      pricePaise: 500,
    });
    expect(open.order).toMatchObject({ orderId: "a2", status: "OPEN", remainingQty: 3 });
    const taker = e.apply({
      ...place,
      orderId: "b3",
      userId: "b",
      outcome: "NO",
      side: "BUY",
      orderType: "LIMIT",
      qty: 3,
      pricePaise: 600,
    });
    expect(taker.code).toBe("OK");
    expect(e.openOrders("a")).toEqual([]);
    expect(
      e.apply({
        ...place,
        orderId: "x4",
        userId: "a",
        clientOrderId: "k3",
        orderType: "LIMIT",
        qty: 1,
        pricePaise: 500,
      }).order,
    ).toMatchObject({ orderId: "a2", status: "FILLED" });
  });
});
