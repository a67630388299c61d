import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Lowers the calling thread's own nice value (a worker thread that should yield under a burst):
 * setpriority(PRIO_PROCESS, tid) applies to one thread on Linux, and /proc/thread-self names the
 * calling thread's task. Never raises it above the process's (that needs privileges, and is not the
 * point). Returns the thread's id and its nice value now; throws where there is no /proc or the call
 * is refused, and the caller says so in its own log.
 */
export function lowerThreadPriority(nice: number): { tid: number; nice: number } {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  setPriority(tid, Math.max(nice, getPriority(process.pid)));
  return { tid, nice: getPriority(tid) };
}
