/**
 * The site's own origins, as a browser writes them in `Origin`: what the API's CSRF check and the
 * stream's handshake check accept besides ALLOWED_ORIGINS. Configured, never taken from the Host
 * header (behind a TLS proxy Host is the proxy's upstream name, and a DNS-rebinding page sends its
 * own name as Host).
 */
import { z } from "zod";

/** `PUBLIC_ORIGINS`: a comma list of `scheme://host[:port]`; each must be exactly an origin. */
export const publicOriginsField = z
  .string()
  .default("")
  .transform((s, ctx) => {
    const origins = s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    for (const o of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(o);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.origin !== o || !/^https?:$/.test(parsed.protocol))
        ctx.addIssue({ code: "custom", message: `${o} is not an origin like https://exchange.example.com` });
    }
    return origins;
  });

export interface PublicOrigins {
  /** The configured origins, or (outside production, none configured) the listening server's own. */
  list(): readonly string[];
  has(origin: string): boolean;
  /** The port the server listens on: the development default follows it (PORT=0 in tests). */
  listening(port: number): void;
}

/** Outside production with nothing configured: http://127.0.0.1:<port> and http://localhost:<port>. */
export function createPublicOrigins(env: {
  NODE_ENV: string;
  PUBLIC_ORIGINS: readonly string[];
}): PublicOrigins {
  let origins = new Set(env.PUBLIC_ORIGINS);
  const useLoopback = env.PUBLIC_ORIGINS.length === 0 && env.NODE_ENV !== "production";
  return {
    list: () => [...origins],
    has: (origin) => origins.has(origin),
    listening(port) {
      if (useLoopback) origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    },
  };
}
