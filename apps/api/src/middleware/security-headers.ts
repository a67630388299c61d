import type { MiddlewareHandler } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app-env.ts";

/**
 * The built web app needs only its own origin: Vite emits external module scripts and stylesheets
 * (no inline script), React and lightweight-charts set styles through the DOM (which CSP allows),
 * the favicon is a data: URI, and the API and Socket.io are same-origin (`'self'` covers ws:/wss:
 * of the same host). No page may frame the site (clickjacking a trade button). One inline
 * stylesheet is allowed by a per-answer nonce: the pre-rendered home page carries the app's CSS in
 * the document (apps/api/src/static-web.ts), so a phone paints without a second round trip.
 */
const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", NONCE],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** API answers (JSON): the app's policy without the style nonce, which only a page uses. */
export const API_CSP: Record<string, string[]> = { ...APP_CSP, styleSrc: ["'self'"] };

/** /docs is @hono/swagger-ui: its page loads Swagger UI from jsDelivr and starts it inline. */
const DOCS_CDN = "https://cdn.jsdelivr.net";
const DOCS_CSP = {
  ...APP_CSP,
  scriptSrc: ["'self'", "'unsafe-inline'", DOCS_CDN],
  styleSrc: ["'self'", "'unsafe-inline'", DOCS_CDN],
  imgSrc: ["'self'", "data:", DOCS_CDN],
};

/**
 * hono's secure-headers on every answer (pages, assets, API JSON, errors): CSP, frame-ancestors
 * 'none' and X-Frame-Options DENY, nosniff, Referrer-Policy, and HSTS only in production (HSTS on
 * http://127.0.0.1 in development would pin a browser to https for a host that has none).
 */
export function securityHeaders(options: { production: boolean }): MiddlewareHandler<AppEnv> {
  const common = commonOptions(options);
  const app = secureHeaders({ ...common, contentSecurityPolicy: APP_CSP });
  const api = apiSecurityHeaders(options);
  const docs = secureHeaders({ ...common, contentSecurityPolicy: DOCS_CSP });
  return async function securityHeadersMiddleware(c, next) {
    const path = c.req.path;
    if (!path.startsWith("/api/")) return (path === "/docs" ? docs : app)(c, next);
    await next();
    api(c.res.headers);
  };
}

const commonOptions = (options: { production: boolean }) =>
  ({
    xFrameOptions: "DENY",
    referrerPolicy: "strict-origin-when-cross-origin",
    strictTransportSecurity: options.production ? "max-age=31536000; includeSubDomains" : false,
  }) as const;

/**
 * What `secureHeaders({ ...common, contentSecurityPolicy: API_CSP })` does to an answer, as one
 * list made once: the API answers JSON, never a page with an inline stylesheet, so its CSP has no
 * nonce and nothing in it depends on the request. hono's defaults plus our three options, the CSP
 * written as hono writes it, and X-Powered-By removed; security-headers.test.ts holds it to hono's
 * own output. Applied after the handler, replacing a header of the same name (hono's `overwrite`).
 */
export function apiSecurityHeaders(options: { production: boolean }): (headers: Headers) => void {
  const common = commonOptions(options);
  const list: [string, string][] = [
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Origin-Agent-Cluster", "?1"],
    ["Referrer-Policy", common.referrerPolicy],
    ...(common.strictTransportSecurity
      ? [["Strict-Transport-Security", common.strictTransportSecurity] as [string, string]]
      : []),
    ["X-Content-Type-Options", "nosniff"],
    ["X-DNS-Prefetch-Control", "off"],
    ["X-Download-Options", "noopen"],
    ["X-Frame-Options", common.xFrameOptions],
    ["X-Permitted-Cross-Domain-Policies", "none"],
    ["X-XSS-Protection", "0"],
    ["Content-Security-Policy", cspValue(API_CSP)],
  ];
  return function applyApiSecurityHeaders(headers) {
    for (const [name, value] of list) headers.set(name, value);
    headers.delete("X-Powered-By");
  };
}

/** A policy as hono's secure-headers writes it: kebab-case directives, values after spaces, "; " between. */
function cspValue(policy: Record<string, string[]>): string {
  return Object.entries(policy)
    .map(([directive, values]) => {
      const name = directive.replace(/[A-Z]+(?![a-z])|[A-Z]/g, (m, at) => (at ? "-" : "") + m.toLowerCase());
      return [name, ...values].join(" ");
    })
    .join("; ");
}
