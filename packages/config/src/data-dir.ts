import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * The data directory holds phones, PANs, bank accounts and sessions (PGlite files, the journal,
 * snapshots, dev secrets): only this user may read it. Sets the process umask to 077 first, so every
 * file written afterwards, by us or by PGlite's own file system layer, is 0600 and every directory
 * 0700; then creates the directory 0700 and tightens what an earlier start left (PGlite wrote 0666 &
 * umask, the journal 0644). Call it before anything opens a file in the directory. Returns its
 * absolute path.
 */
export function secureDataDir(dir: string): string {
  process.umask(0o077);
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: DIR_MODE });
  tighten(root);
  return root;
}

function tighten(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return; // chmod would follow it out of the directory
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== DIR_MODE) chmodSync(path, DIR_MODE);
    for (const name of readdirSync(path)) tighten(join(path, name));
  } else if ((stat.mode & 0o777) !== FILE_MODE) {
    chmodSync(path, FILE_MODE);
  }
}
