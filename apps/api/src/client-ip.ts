import type { IncomingMessage } from "node:http";
import type { BlockList } from "node:net";
import { isIP } from "node:net";
import type { TrustedProxies } from "@ox/config";
import type { Context } from "hono";

export { parseTrustedProxies, type TrustedProxies } from "@ox/config";

/** `::ffff:10.0.0.1` (a v4 client on a dual-stack socket) is 10.0.0.1. */
const normalize = (address: string) => (address.startsWith("::ffff:") ? address.slice(7) : address);

/**
 * The socket peer in both deployments: Bun.serve passes its server as the fetch's env
 * (`server.requestIP`), @hono/node-server passes `{ incoming }` (`incoming.socket.remoteAddress`).
 */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as
    | { requestIP?: (r: Request) => { address: string } | null; incoming?: IncomingMessage }
    | undefined;
  if (!env) return undefined;
  if (typeof env.requestIP === "function") return env.requestIP(c.req.raw)?.address ?? undefined;
  return env.incoming?.socket?.remoteAddress ?? undefined;
}

const inList = (list: BlockList, address: string) => {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
};

/**
 * The client's address. Behind trusted proxies it is the hop those proxies appended: walking
 * X-Forwarded-For from the right (the socket peer last), past `hops` proxies or past every address
 * in the trusted list. Hops further left were written by the client and are never believed.
 */
export function clientIp(c: Context, trusted: TrustedProxies): string {
  const peer = normalize(peerAddress(c) ?? "unknown");
  if (!trusted) return peer;
  const forwarded = c.req
    .header("x-forwarded-for")
    ?.split(",")
    .map((h) => normalize(h.trim()))
    .filter(Boolean);
  const chain = [...(forwarded ?? []), peer];
  if ("hops" in trusted) return chain[Math.max(0, chain.length - 1 - trusted.hops)] as string;
  let i = chain.length - 1;
  while (i > 0 && inList(trusted.list, chain[i] as string)) i--;
  return chain[i] as string;
}
