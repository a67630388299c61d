import { refTooOld, rememberRef } from "../dedupe.ts";
import { Account, type EngineState } from "../state.ts";
import type { CreateUserCommand, CreditCommand, DebitCommand, Result } from "../types.ts";
import { isId, isInt, isOneOf } from "../validate.ts";

/** CREATE_USER, CREDIT, DEBIT: money entering and leaving the engine, idempotent by ref. */

export function createUser(s: EngineState, c: CreateUserCommand): Result {
  if (!isId(c.userId)) return { code: "INVALID_COMMAND", events: [] };
  if (s.userIndex.has(c.userId)) return { code: "DUPLICATE", events: [], duplicate: true };
  const handle = s.users.length;
  s.users.push(new Account(c.userId, handle));
  s.userIndex.set(c.userId, handle);
  const out = s.out;
  out.push({ seq: 0, ts: 0, type: "USER_CREATED", userId: c.userId });
  return { code: "OK", events: out.events };
}

function isCreditKind(v: unknown): boolean {
  return isOneOf(v, "BONUS", "DEPOSIT", "REFERRAL") || isOneOf(v, "REFUND", "ADJUSTMENT");
}

export function credit(s: EngineState, c: CreditCommand): Result {
  if (!isId(c.userId) || !isId(c.ref) || !isInt(c.amountPaise) || !isCreditKind(c.kind)) {
    return { code: "INVALID_COMMAND", events: [] };
  }
  const uh = s.userIndex.get(c.userId);
  if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
  if (s.refs.has(c.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
  if (refTooOld(s, c.ts)) return { code: "STALE_REF", events: [] };
  if (c.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
  const a = s.users[uh];
  rememberRef(s, c.ref);
  a.available += c.amountPaise;
  s.credits += c.amountPaise;
  const out = s.out;
  out.push({
    seq: 0,
    ts: 0,
    type: "CREDITED",
    userId: a.id,
    amountPaise: c.amountPaise,
    ref: c.ref,
    kind: c.kind,
    availablePaise: a.available,
  });
  return { code: "OK", events: out.events };
}

export function debit(s: EngineState, c: DebitCommand): Result {
  if (!isId(c.userId) || !isId(c.ref) || !isInt(c.amountPaise))
    return { code: "INVALID_COMMAND", events: [] };
  const uh = s.userIndex.get(c.userId);
  if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
  if (s.refs.has(c.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
  if (refTooOld(s, c.ts)) return { code: "STALE_REF", events: [] };
  if (c.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
  const a = s.users[uh];
  if (a.available < c.amountPaise) return { code: "INSUFFICIENT_FUNDS", events: [] };
  rememberRef(s, c.ref);
  a.available -= c.amountPaise;
  s.debits += c.amountPaise;
  const out = s.out;
  out.push({
    seq: 0,
    ts: 0,
    type: "DEBITED",
    userId: a.id,
    amountPaise: c.amountPaise,
    ref: c.ref,
    availablePaise: a.available,
  });
  return { code: "OK", events: out.events };
}
