// createRemoteDb over createDbHost: PGlite's one connection shared by messages, transactions
// serialized on it while other statements wait, and never a statement of an open transaction
// stuck behind one that waits for it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { kvEntries } from "./schema/kv.ts";
import { createTestDb, type TestDb } from "./testing.ts";

let handle: TestDb;
beforeAll(async () => {
  handle = await createTestDb("pglite-remote");
});
afterAll(() => handle.close());

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hung ${ms} ms`)), ms)),
  ]);
const value = async (key: string) =>
  (await handle.db.select().from(kvEntries).where(eq(kvEntries.key, key)))[0]?.value;

test("a statement outside a transaction waits for it; the transaction's own statements pass it", async () => {
  const order: string[] = [];
  let outside: Promise<unknown> = Promise.resolve();
  await within(
    10_000,
    handle.db.transaction(async (tx) => {
      await tx.insert(kvEntries).values({ key: "a", value: "1" });
      // Sent while the transaction is open: it must wait for the commit, not block the next ones.
      outside = value("a").then((v) => order.push(`outside saw ${v}`));
      await new Promise((r) => setTimeout(r, 50));
      await tx.update(kvEntries).set({ value: "2" }).where(eq(kvEntries.key, "a"));
      const [row] = await tx.select().from(kvEntries).where(eq(kvEntries.key, "a"));
      order.push(`inside saw ${row?.value}`);
    }),
  );
  await within(10_000, outside);
  expect(order).toEqual(["inside saw 2", "outside saw 2"]);
});

test("a throw rolls back; a nested transaction is a savepoint; a failed statement rejects with its SQLSTATE", async () => {
  await expect(
    handle.db.transaction(async (tx) => {
      await tx.insert(kvEntries).values({ key: "b", value: "1" });
      throw new Error("no");
    }),
  ).rejects.toThrow("no");
  expect(await value("b")).toBeUndefined();

  await handle.db.transaction(async (tx) => {
    await tx.insert(kvEntries).values({ key: "c", value: "outer" });
    await tx
      .transaction(async (inner) => {
        await inner.insert(kvEntries).values({ key: "d", value: "inner" });
        throw new Error("inner only");
      })
      .catch(() => {});
  });
  expect(await value("c")).toBe("outer");
  expect(await value("d")).toBeUndefined();

  const err = await handle.db
    .insert(kvEntries)
    .values({ key: "c", value: "again" })
    .then(
      () => null,
      (e: unknown) => e as { cause?: { code?: string } },
    );
  expect(err?.cause?.code).toBe("23505");
  // The connection is usable afterwards.
  const { rows } = (await handle.db.execute(sql`select 1 as one`)) as unknown as { rows: unknown[] };
  expect(rows).toEqual([{ one: 1 }]);
});

test("concurrent transactions run one after the other, each seeing the previous one's commit", async () => {
  await handle.db.insert(kvEntries).values({ key: "n", value: "0" });
  await within(
    20_000,
    Promise.all(
      Array.from({ length: 20 }, () =>
        handle.db.transaction(async (tx) => {
          const [row] = await tx.select().from(kvEntries).where(eq(kvEntries.key, "n")).for("update");
          await new Promise((r) => setTimeout(r, 1));
          await tx
            .update(kvEntries)
            .set({ value: String(Number(row?.value) + 1) })
            .where(eq(kvEntries.key, "n"));
        }),
      ),
    ),
  );
  expect(await value("n")).toBe("20");
});
