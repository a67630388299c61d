/**
 * A probe for images without curl: `bun infra/docker/healthcheck.ts URL` exits 0 when URL answers
 * 200 within 3 s, 1 otherwise (prints the status or the error). Used by docker-compose healthchecks.
 */
export {};

const url = process.argv[2];
if (!url) {
  console.error("usage: healthcheck.ts URL");
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (res.status !== 200) console.error(`${url}: ${res.status}`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  console.error(`${url}: ${(err as Error).message}`);
  process.exit(1);
}
