import { createRequire } from "node:module";

/**
 * Two costs kafkajs 2.2.4 pays on every produce request, taken off (the engine sends one per
 * group commit; `bun packages/bus/bench/kafka-append.ts` measures an append's CPU):
 *
 * - Its Encoder grows by doubling with Buffer.alloc, which zero-fills each new buffer only for
 *   every byte to be overwritten (the encoder writes strictly in sequence and `buffer` is the
 *   prefix it wrote): a 10-20 KiB record value is re-allocated and filled five times over.
 *   Buffer.allocUnsafe does the same without the fill.
 * - Produce's version table calls `require('./vN/request')` and `require('./vN/response')` on
 *   every request, which under Bun is a module-registry lookup each time; the table here resolves
 *   each version's modules once and builds the request exactly as kafkajs's own does.
 *
 * Installed once per process when this module loads (kafka-log.ts imports it).
 */
const require = createRequire(import.meta.url);

interface EncoderLike {
  buf: Buffer;
  offset: number;
}
export const Encoder = require("kafkajs/src/protocol/encoder.js") as {
  prototype: { ensureAvailable(this: EncoderLike, length: number): void };
  nextPowerOfTwo(value: number): number;
};
Encoder.prototype.ensureAvailable = function ensureAvailable(this: EncoderLike, length: number) {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
};

type ProduceProtocol = (args: Record<string, unknown>) => { request: unknown; response: unknown };
export const produceRequests = require("kafkajs/src/protocol/requests/produce/index.js") as {
  versions: string[];
  protocol: (options: { version: number }) => ProduceProtocol;
};
/** kafkajs's own lookup, kept for the test that compares the two. */
export const originalProduceProtocol = produceRequests.protocol;
const byVersion = new Map<number, ProduceProtocol>();
produceRequests.protocol = ({ version }) => {
  let protocol = byVersion.get(version);
  if (!protocol) {
    if (!produceRequests.versions.includes(String(version))) return originalProduceProtocol({ version });
    const request = require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as (
      args: Record<string, unknown>,
    ) => unknown;
    const response = require(`kafkajs/src/protocol/requests/produce/v${version}/response.js`) as unknown;
    // Every version's request takes the fields it knows from the same argument object.
    protocol = (args) => ({ request: request(args), response });
    byVersion.set(version, protocol);
  }
  return protocol;
};
