import type { Command, CreditCommand, DebitCommand, Result } from "../types.ts";
import { createEmitter, findUser, type RefState, refSeen } from "./state.ts";
import { isId, isInt, isOneOf } from "./validate.ts";

const CREDIT_KINDS = ["BONUS", "DEPOSIT", "REFERRAL", "REFUND", "ADJUSTMENT"] as const;

export function createUser(state: RefState, cmd: Command & { type: "CREATE_USER" }): Result {
  if (!isId(cmd.userId)) return { code: "INVALID_COMMAND", events: [] };
  if (findUser(state, cmd.userId)) return { code: "DUPLICATE", events: [], duplicate: true };
  state.users.push({ userId: cmd.userId, availablePaise: 0, lockedPaise: 0 });
  const out = createEmitter(state, cmd.ts);
  out.emit({ type: "USER_CREATED", userId: cmd.userId });
  return { code: "OK", events: out.events };
}

export function credit(state: RefState, cmd: CreditCommand): Result {
  if (!isId(cmd.userId) || !isId(cmd.ref) || !isInt(cmd.amountPaise) || !isOneOf(cmd.kind, CREDIT_KINDS)) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const user = findUser(state, cmd.userId);
  if (!user) return { code: "USER_NOT_FOUND", events: [] };
  if (refSeen(state, cmd.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
  // Older than the window: had it been applied, the ref might be forgotten by now.
  if (cmd.ts + state.dedupeWindowMs <= state.clock) return { code: "STALE_REF", events: [] };
  if (cmd.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
  state.refs.set(cmd.ref, state.clock);
  user.availablePaise += cmd.amountPaise;
  state.creditsPaise += cmd.amountPaise;
  const out = createEmitter(state, cmd.ts);
  out.emit({
    type: "CREDITED",
    userId: cmd.userId,
    amountPaise: cmd.amountPaise,
    ref: cmd.ref,
    kind: cmd.kind,
    availablePaise: user.availablePaise,
  });
  return { code: "OK", events: out.events };
}

export function debit(state: RefState, cmd: DebitCommand): Result {
  if (!isId(cmd.userId) || !isId(cmd.ref) || !isInt(cmd.amountPaise)) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const user = findUser(state, cmd.userId);
  if (!user) return { code: "USER_NOT_FOUND", events: [] };
  if (refSeen(state, cmd.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
  // Older than the window: had it been applied, the ref might be forgotten by now.
  if (cmd.ts + state.dedupeWindowMs <= state.clock) return { code: "STALE_REF", events: [] };
  if (cmd.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
  if (user.availablePaise < cmd.amountPaise) return { code: "INSUFFICIENT_FUNDS", events: [] };
  state.refs.set(cmd.ref, state.clock);
  user.availablePaise -= cmd.amountPaise;
  state.debitsPaise += cmd.amountPaise;
  const out = createEmitter(state, cmd.ts);
  out.emit({
    type: "DEBITED",
    userId: cmd.userId,
    amountPaise: cmd.amountPaise,
    ref: cmd.ref,
    availablePaise: user.availablePaise,
  });
  return { code: "OK", events: out.events };
}
