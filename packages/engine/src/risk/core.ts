import { advanceClock, DedupeQueue, refTooOld, rememberRef } from "../dedupe.ts";
import type { Emitter } from "../events.ts";
import type { FillSettlement, Payout, Release, ReserveAnswer, ReserveRequest, RiskPort } from "../seam.ts";
import { reserveAnswer } from "../seam.ts";
import { StringIndex } from "../string-index.ts";
import type { CreditCommand, DebitCommand, Result } from "../types.ts";
import { isId, isInt, isOneOf } from "../validate.ts";
import { lockPerShareOf } from "./terms.ts";

/**
 * The risk core: every user's cash (available, locked), the fee account, money in and out (CREDIT,
 * DEBIT, idempotent by ref) and nothing of books, orders or shares. It changes only through its
 * commands and the seam messages (seam.ts); a risk shard by user is this class over its own input.
 *
 * Cash is one Float64Array, a user's available and locked side by side (16 bytes by handle): ten
 * thousand users fit in L2, where Account objects were spread over the heap (every command touches
 * the cash of each participant). Paise are integers far below 2^53, exact in a double.
 */
export class RiskCore implements RiskPort {
  /** User id → handle, and ids by handle (risk's own directory). */
  readonly users = new StringIndex<number>();
  readonly ids: string[] = [];
  /** available of handle h at 2h, locked at 2h + 1. Replaced when it grows. */
  cash = new Float64Array(2 * 1024);
  /** CREDIT/DEBIT refs already applied → engine clock when applied (forgotten after the window). */
  readonly refs = new Map<string, number>();
  readonly dedupe: DedupeQueue;
  credits = 0;
  debits = 0;
  fees = 0;
  /** The one answer object, refilled per request (the receiver reads it before the next one). */
  private readonly answer = reserveAnswer();

  constructor(
    readonly out: Emitter,
    dedupeWindowMs: number,
  ) {
    this.dedupe = new DedupeQueue(dedupeWindowMs);
  }

  advanceClock(ts: number): void {
    advanceClock(this.dedupe, ts, this.refs);
  }

  /** A new account at zero; returns its handle, the user's address in messages to this core. */
  openAccount(id: string): number {
    const handle = this.ids.length;
    if (2 * handle + 2 > this.cash.length) {
      const grown = new Float64Array(this.cash.length * 2);
      grown.set(this.cash);
      this.cash = grown;
    }
    this.ids.push(id);
    this.users.set(id, handle);
    return handle;
  }

  get size(): number {
    return this.ids.length;
  }

  available(user: number): number {
    return this.cash[2 * user];
  }

  locked(user: number): number {
    return this.cash[2 * user + 1];
  }

  /** RESERVE: lock a BUY's cash under the schedule of terms.ts, or refuse (available too low). */
  reserve(m: ReserveRequest): ReserveAnswer {
    const cash = this.cash;
    const i = 2 * m.user;
    const r = this.answer;
    let lock: number;
    if (m.maxCostPaise >= 0) {
      lock = m.maxCostPaise;
      r.lockPerShare = 0;
      r.budgetPaise = lock;
    } else {
      r.lockPerShare = lockPerShareOf(m.pricePaise, m.maxFeeBps);
      r.budgetPaise = -1;
      lock = m.qty * r.lockPerShare;
    }
    r.lockedPaise = lock;
    if (cash[i] < lock) {
      r.ok = false;
      return r;
    }
    r.ok = true;
    cash[i] -= lock;
    cash[i + 1] += lock;
    return r;
  }

  /** FILL. Cannot be refused: a balance it would make negative is a bug (SPEC §4.2), so it throws. */
  settle(m: FillSettlement): void {
    const cash = this.cash;
    const i = 2 * m.user;
    this.fees += m.feePaise;
    if (m.isBuy) {
      cash[i + 1] -= m.unlockPaise;
      cash[i] += m.unlockPaise - m.valuePaise - m.feePaise;
      if (cash[i] < 0 || cash[i + 1] < 0) broken(m, cash[i], cash[i + 1]);
    } else {
      cash[i] += m.valuePaise - m.feePaise;
      if (cash[i] < 0) broken(m, cash[i], cash[i + 1]);
    }
  }

  /** RELEASE. Cannot be refused: more than is locked is a bug, so it throws. */
  release(m: Release): void {
    const i = 2 * m.user;
    this.cash[i + 1] -= m.paise;
    this.cash[i] += m.paise;
    if (this.cash[i + 1] < 0) broken(m, this.cash[i], this.cash[i + 1]);
  }

  payout(m: Payout): void {
    this.cash[2 * m.user] += m.paise;
  }

  reportBalance(user: number): void {
    this.out.balance(this.ids[user], this.cash[2 * user], this.cash[2 * user + 1]);
  }

  credit(c: CreditCommand): Result {
    if (!isId(c.userId) || !isId(c.ref) || !isInt(c.amountPaise) || !isCreditKind(c.kind)) {
      return { code: "INVALID_COMMAND", events: [] };
    }
    const uh = this.users.get(c.userId);
    if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
    if (this.refs.has(c.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
    if (refTooOld(this.dedupe, c.ts)) return { code: "STALE_REF", events: [] };
    if (c.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
    rememberRef(this.dedupe, this.refs, c.ref);
    this.cash[2 * uh] += c.amountPaise;
    this.credits += c.amountPaise;
    const out = this.out;
    out.push({
      seq: 0,
      ts: 0,
      type: "CREDITED",
      userId: this.ids[uh],
      amountPaise: c.amountPaise,
      ref: c.ref,
      kind: c.kind,
      availablePaise: this.cash[2 * uh],
    });
    return { code: "OK", events: out.events };
  }

  debit(c: DebitCommand): Result {
    if (!isId(c.userId) || !isId(c.ref) || !isInt(c.amountPaise))
      return { code: "INVALID_COMMAND", events: [] };
    const uh = this.users.get(c.userId);
    if (uh === undefined) return { code: "USER_NOT_FOUND", events: [] };
    if (this.refs.has(c.ref)) return { code: "DUPLICATE", events: [], duplicate: true };
    if (refTooOld(this.dedupe, c.ts)) return { code: "STALE_REF", events: [] };
    if (c.amountPaise <= 0) return { code: "INVALID_AMOUNT", events: [] };
    if (this.cash[2 * uh] < c.amountPaise) return { code: "INSUFFICIENT_FUNDS", events: [] };
    rememberRef(this.dedupe, this.refs, c.ref);
    this.cash[2 * uh] -= c.amountPaise;
    this.debits += c.amountPaise;
    const out = this.out;
    out.push({
      seq: 0,
      ts: 0,
      type: "DEBITED",
      userId: this.ids[uh],
      amountPaise: c.amountPaise,
      ref: c.ref,
      availablePaise: this.cash[2 * uh],
    });
    return { code: "OK", events: out.events };
  }
}

function isCreditKind(v: unknown): boolean {
  return isOneOf(v, "BONUS", "DEPOSIT", "REFERRAL") || isOneOf(v, "REFUND", "ADJUSTMENT");
}

function broken(m: FillSettlement | Release, available: number, locked: number): never {
  throw new Error(`risk: ${JSON.stringify(m)} leaves available ${available}, locked ${locked}`);
}
