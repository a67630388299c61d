import { BlockList, isIP } from "node:net";

/**
 * Which proxies in front of the API are trusted to append to X-Forwarded-For: none (the socket's
 * peer is the client), a number of hops, or the addresses/CIDRs of the proxies.
 */
export type TrustedProxies = { hops: number } | { list: BlockList } | null;

/** `TRUSTED_PROXIES`: empty = none, a number = that many hops, else a comma list of IPs or CIDRs. */
export function parseTrustedProxies(raw: string): TrustedProxies | string {
  const value = raw.trim();
  if (value === "") return null;
  if (/^\d+$/.test(value)) return { hops: Number(value) };
  const list = new BlockList();
  for (const part of value.split(",").map((p) => p.trim())) {
    const [address = "", bits] = part.split("/");
    const family = isIP(address);
    if (family === 0) return `not an IP address or CIDR: ${part}`;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) return `bad prefix: ${part}`;
      list.addSubnet(address, prefix, type);
    }
  }
  return { list };
}
