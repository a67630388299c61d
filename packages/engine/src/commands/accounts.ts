import type { EngineState } from "../engine-state.ts";
import type { CreateUserCommand, Result } from "../types.ts";
import { isId } from "../validate.ts";

/**
 * CREATE_USER: a directory entry and the user's record in both cores (risk: cash; matching:
 * holdings and open orders). CREDIT and DEBIT, money entering and leaving, are risk's (risk/core.ts).
 */
export function createUser(s: EngineState, c: CreateUserCommand): Result {
  if (!isId(c.userId)) return { code: "INVALID_COMMAND", events: [] };
  if (s.users.has(c.userId)) return { code: "DUPLICATE", events: [], duplicate: true };
  const handle = s.risk.size;
  s.risk.openAccount(c.userId, handle);
  s.matching.addTrader(c.userId, handle);
  s.users.set(c.userId, handle);
  const out = s.out;
  out.push({ seq: 0, ts: 0, type: "USER_CREATED", userId: c.userId });
  return { code: "OK", events: out.events };
}
