/**
 * Test fixture run as a child process: persists the journal into DATABASE_URL and SIGKILLs itself
 * inside the CRASH_AT-th transaction, after every row is written and before the commit.
 */
import { createDb } from "@ox/db";
import { quiet, tempJournal } from "@ox/persister/testing";
import { createPersister } from "./persister.ts";

const crashAt = Number(process.env.CRASH_AT ?? 0);
const handle = await createDb({ url: process.env.DATABASE_URL, migrate: false });
const journalDir = process.env.JOURNAL_DIR;
if (!journalDir) throw new Error("JOURNAL_DIR is required");
const log = await tempJournal(journalDir);
let batches = 0;
const persister = createPersister({
  log,
  db: handle.db,
  logger: quiet,
  batchSize: Number(process.env.BATCH_SIZE ?? 10),
  beforeCommit: () => {
    if (++batches === crashAt) process.kill(process.pid, "SIGKILL");
  },
});
await persister.catchUp();
await log.close();
await handle.close();
