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
const API_CSP = { ...APP_CSP, styleSrc: ["'self'"] };

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
  const common = {
    xFrameOptions: "DENY",
    referrerPolicy: "strict-origin-when-cross-origin",
    strictTransportSecurity: options.production ? "max-age=31536000; includeSubDomains" : false,
  } as const;
  const app = secureHeaders({ ...common, contentSecurityPolicy: APP_CSP });
  // The API answers JSON, never a page with an inline stylesheet: its CSP has no nonce, so its
  // headers are one list made once instead of a random nonce and a CSP string per request.
  const api = secureHeaders({ ...common, contentSecurityPolicy: API_CSP });
  const docs = secureHeaders({ ...common, contentSecurityPolicy: DOCS_CSP });
  return async function securityHeadersMiddleware(c, next) {
    const path = c.req.path;
    return (path.startsWith("/api/") ? api : path === "/docs" ? docs : app)(c, next);
  };
}
