import { ERROR_CODES, type ErrorCode } from "@ox/contracts";
import type { ResultCode } from "@ox/engine";
import { ApiError } from "../errors.ts";

const MESSAGES: Partial<Record<ResultCode, string>> = {
  INVALID_PRICE: "price must be a multiple of the market's tick, between one tick and 1000 minus one tick",
  INVALID_QUANTITY: "quantity must be between 1 and the market's maximum order size",
  USER_NOT_FOUND: "your account is still being set up; try again in a moment",
  MARKET_NOT_FOUND: "no such market",
  UNKNOWN_ORDER: "no such open order",
  MARKET_CLOSED: "the market is not open for trading",
  INSUFFICIENT_FUNDS: "not enough available balance",
  INSUFFICIENT_SHARES: "not enough free shares to sell",
  POSITION_LIMIT: "the order would exceed the position limit for this market",
  POST_ONLY_WOULD_TAKE: "a post-only order would have traded at once",
  FOK_NOT_FILLABLE: "the fill-or-kill order cannot be filled in full now",
  INVALID_EXPIRY: "expiresAt must be later than the time the order arrives",
};

const isErrorCode = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);

/** An engine rejection answered through the shared error path with the engine's own code. */
export class EngineRejectedError extends ApiError {
  constructor(readonly engineCode: ResultCode) {
    const message = MESSAGES[engineCode] ?? engineCode.toLowerCase().replaceAll("_", " ");
    super(isErrorCode(engineCode) ? engineCode : "CONFLICT", message);
    this.name = "EngineRejectedError";
  }
}
