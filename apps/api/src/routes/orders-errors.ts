import type { ResultCode } from "@ox/engine";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../errors.ts";

/**
 * Engine rejection codes → HTTP status: the trading half of the one status table. Malformed input is
 * 400, a missing thing 404, a state conflict 409, a business rule that refused a well-formed order 422
 * (INSUFFICIENT_FUNDS is 422 everywhere, as in the wallet routes).
 */
export const ENGINE_CODE_STATUS: Record<Exclude<ResultCode, "OK" | "DUPLICATE">, ContentfulStatusCode> = {
  INVALID_COMMAND: 400,
  INVALID_PRICE: 400,
  INVALID_QUANTITY: 400,
  INVALID_AMOUNT: 400,
  INVALID_MARKET_PARAMS: 400,
  USER_NOT_FOUND: 409, // the account is not in the engine yet (outbox still relaying): retry shortly
  MARKET_NOT_FOUND: 404,
  UNKNOWN_ORDER: 404,
  MARKET_EXISTS: 409,
  MARKET_CLOSED: 409,
  MARKET_ALREADY_RESOLVED: 409,
  ORDER_ID_EXISTS: 409,
  INSUFFICIENT_FUNDS: 422,
  INSUFFICIENT_SHARES: 422,
  POSITION_LIMIT: 422,
  POST_ONLY_WOULD_TAKE: 422,
  FOK_NOT_FILLABLE: 422,
};

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
};

/** An engine rejection as an answer through the shared error path, keeping the engine's code. */
export class EngineRejectedError extends ApiError {
  constructor(readonly engineCode: ResultCode) {
    super("CONFLICT", MESSAGES[engineCode] ?? engineCode.toLowerCase().replaceAll("_", " "));
    this.name = "EngineRejectedError";
    // ApiError's code/status are read by the shared onError; this carries the engine's code instead.
    Object.assign(this, {
      code: engineCode,
      status: ENGINE_CODE_STATUS[engineCode as keyof typeof ENGINE_CODE_STATUS] ?? 409,
    });
  }
}
