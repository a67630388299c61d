/**
 * Test fixture run as a child process (pglite.test.ts): PGlite in PG_DIR with the embedded start-up
 * flags; commits ROUNDS transactions of 2 000 rows, checkpointing whenever 1 MiB of WAL is due, and
 * SIGKILLs itself inside the CRASH_AT-th, after its rows are written and before the commit.
 */
import { sql } from "drizzle-orm";
import { createPgliteDb } from "./client.ts";

const crashAt = Number(process.env.CRASH_AT ?? 0);
const rounds = Number(process.env.ROUNDS ?? 6);
const pgDir = process.env.PG_DIR;
if (!pgDir) throw new Error("PG_DIR is required");
const handle = await createPgliteDb({ dataDir: pgDir, migrate: false });
await handle.db.execute(
  sql`create table if not exists t (id bigserial primary key, round int not null, v text)`,
);
let checkpoints = 0;
for (let round = 1; round <= rounds; round++) {
  await handle.db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into t (round, v) select ${round}, repeat('x', 200) from generate_series(1, 2000)`,
    );
    if (round === crashAt) process.kill(process.pid, "SIGKILL");
  });
  if (await handle.checkpointIfDue(1 << 20)) checkpoints++;
}
console.log(JSON.stringify({ checkpoints }));
await handle.close();
