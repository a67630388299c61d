import type { EngineState } from "../engine-state.ts";
import type { CreateUserCommand, Result } from "../types.ts";
import { isId } from "../validate.ts";

/**
 * CREATE_USER: the user's account in the risk core (cash) and record in the matching core (holdings,
 * open orders) under the risk handle. CREDIT and DEBIT, money entering and leaving, are risk's
 * (risk/core.ts).
 */
export function createUser(s: EngineState, c: CreateUserCommand): Result {
  if (!isId(c.userId)) return { code: "INVALID_COMMAND", events: [] };
  if (s.risk.users.has(c.userId)) return { code: "DUPLICATE", events: [], duplicate: true };
  s.matching.addTrader(c.userId, s.risk.openAccount(c.userId));
  const out = s.out;
  out.push({ seq: 0, ts: 0, type: "USER_CREATED", userId: c.userId });
  return { code: "OK", events: out.events };
}
