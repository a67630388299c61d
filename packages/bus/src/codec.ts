import type { Codec } from "./ports.ts";

/** The default codec: JSON. Money is integer paise, so plain JSON numbers are exact. */
export function jsonCodec<T>(): Codec<T> {
  return {
    encode: (value) => JSON.stringify(value),
    decode: (text) => JSON.parse(text) as T,
  };
}
