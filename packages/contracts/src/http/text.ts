import { z } from "zod";

/**
 * The character sets every id and free-text field is held to at the edge. Whatever passes here is
 * journaled, kept by the engine and written to Postgres text columns, so a NUL or another control
 * character must never get past (Postgres refuses NUL in text, and one such record once wedged
 * the persister). Allow-lists, not deny-lists: a new kind of invisible character stays out.
 */

/** Ids and references: ASCII letters, digits and `_ . : -` (UUIDs, client order ids, gateway refs). */
export const ID_CHARS = /^[A-Za-z0-9_.:-]+$/;
/** One line of human text: letters, marks, digits, punctuation, symbols and spaces; no controls, no format characters. */
export const LINE_CHARS = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]*$/u;
/** Several lines of human text: as LINE_CHARS plus newline, carriage return and tab. */
export const MULTILINE_CHARS = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}\n\r\t]*$/u;

export const ID_MAX = 64;

/** An id or reference: 1..max characters of ID_CHARS. */
export const idString = (max: number = ID_MAX) =>
  z.string().min(1).max(max).regex(ID_CHARS, "letters, digits and _ . : - only");

/** A single line of text, trimmed, min..max characters of LINE_CHARS. */
export const lineText = (min: number, max: number) =>
  z.string().trim().min(min).max(max).regex(LINE_CHARS, "printable characters on one line only");

/** Free text over several lines, trimmed, at most max characters of MULTILINE_CHARS. */
export const multilineText = (max: number) =>
  z.string().trim().max(max).regex(MULTILINE_CHARS, "printable characters, newlines and tabs only");

/** A market id: what the admin API assigns (a UUID) and what the engine keys books by. */
export const MarketId = idString().meta({ example: "5f0c6c1e-8a8e-4a55-9a3e-2f1f7f6f0b1a" });
/** An order id: assigned by the API (a UUID). */
export const OrderId = idString();
/** The caller's own order reference; unique per user. */
export const ClientOrderId = idString(64);
