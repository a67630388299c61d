import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventLogContract } from "@ox/bus/testing";
import { createFileJournal } from "./file-journal.ts";

eventLogContract("file journal", async () => {
  const dir = await mkdtemp(join(tmpdir(), "journal-contract-"));
  return {
    open: () => createFileJournal({ path: join(dir, "events.journal") }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
