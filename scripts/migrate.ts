/**
 * `npm run migrate` / the image's `migrate` kind: applies the checked-in migrations to DATABASE_URL
 * and exits 0 (a one-shot job before the API replicas and the persister start with DB_MIGRATE=false).
 * Idempotent: drizzle's journal table skips what is applied.
 */
import { createDb } from "@ox/db";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("migrate: DATABASE_URL is required");
  process.exit(2);
}
const began = Date.now();
const handle = await createDb({ url, migrate: true, maxConnections: 1 });
await handle.close();
console.log(JSON.stringify({ msg: "migrations applied", ms: Date.now() - began }));
