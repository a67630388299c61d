// The bus's Kv contract suite, run against the table-backed KV on both database drivers.
import { createWriteThroughKv } from "@ox/bus";
import { kvContract } from "@ox/bus/testing";
import { createTestDb, type TestDbKind } from "@ox/db/testing";
import { createSqlKv } from "./kv.ts";

for (const kind of ["pglite", "postgres"] as TestDbKind[]) {
  kvContract(`sql (${kind})`, async () => {
    const handle = await createTestDb(kind);
    const kv = createSqlKv(handle.db);
    return {
      kv,
      cleanup: async () => {
        await kv.close();
        await handle.close();
      },
    };
  });
}

// What embedded mode runs: a memory cache in front of the table.
kvContract("write-through over sql (pglite)", async () => {
  const handle = await createTestDb("pglite");
  const kv = createWriteThroughKv(createSqlKv(handle.db));
  return {
    kv,
    cleanup: async () => {
      await kv.close();
      await handle.close();
    },
  };
});
