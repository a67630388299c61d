/**
 * The one typed client of the HTTP API, for the web app and the bot (docs/architecture.md#one-vocabulary).
 * Every operation names its schemas in @ox/contracts by export name; the request and response
 * types are inferred from those schemas, so client and server share one definition. Only types
 * come from the contracts (`import type`): the browser bundle carries no zod.
 */
import type * as Contracts from "@ox/contracts";
import type { ErrorCode } from "@ox/contracts";
import type { z } from "zod";

type Schemas = typeof Contracts;
/** The contracts' exports that are zod schemas, by name. */
export type SchemaName = {
  [K in keyof Schemas]: Schemas[K] extends z.ZodType ? K : never;
}[keyof Schemas];
type Output<N extends SchemaName> = z.output<Schemas[N]>;
type Input<N extends SchemaName> = z.input<Schemas[N]>;

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** `/markets/{id}/trades` → `{ id: string }`. */
export type PathParams<P extends string> = P extends `${string}{${infer K}}${infer Rest}`
  ? { [k in K]: string } & PathParams<Rest>
  : unknown;

/** What an operation is: its route and the contracts' schemas it sends and answers with. */
export interface OperationSpec {
  method: Method;
  /** Relative to /api/v1, in OpenAPI form (`{id}` for a path parameter). */
  path: string;
  query?: SchemaName;
  body?: SchemaName;
  /** One schema per success status (201 and 202 answer different bodies). */
  responses: readonly SchemaName[];
}

type Args<S extends OperationSpec> = (S["path"] extends `${string}{${string}`
  ? { params: PathParams<S["path"]> }
  : unknown) &
  (S["query"] extends SchemaName ? { query?: Input<S["query"]> } : unknown) &
  (S["body"] extends SchemaName ? { body: Input<S["body"]> } : unknown);
type Result<S extends OperationSpec> = Output<S["responses"][number]>;

/** One operation of the client: call it, or read its route (the OpenAPI coverage test does). */
export type Operation<S extends OperationSpec> = (unknown extends Args<S>
  ? (args?: Record<string, never>) => Promise<Result<S>>
  : Partial<Args<S>> extends Args<S>
    ? (args?: Args<S>) => Promise<Result<S>>
    : (args: Args<S>) => Promise<Result<S>>) & { readonly spec: S };

/** Not a server code: the request never got an answer, or the answer was not the API's error shape. */
export type ClientErrorCode = "NETWORK" | "HTTP_ERROR";

/** Every failed call: the HTTP status (0 = no answer) and the server's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ClientOptions {
  /** Origin of the API (`http://localhost:3000`); empty for the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /**
   * Outside a browser: start with this session cookie and keep the one each answer sets (the way
   * a browser would). In a browser leave it out: the page's cookies are sent (`credentials`).
   */
  cookie?: string;
  keepCookies?: boolean;
  /**
   * Sign every request with this API key instead of a cookie (OX-ACCESS-* headers, README
   * "Trading programmatically"). Uses Web Crypto, so it runs in Bun, Node and browsers.
   */
  apiKey?: { id: string; secret: string };
  /** Epoch ms for the signature's timestamp (default: Date.now, never the same millisecond twice). */
  now?: () => number;
}

export interface Transport {
  send(method: Method, path: string, query: object | undefined, body: unknown): Promise<unknown>;
  readonly cookie: string | undefined;
}

export const API_PREFIX = "/api/v1";

export function createTransport(options: ClientOptions = {}): Transport {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = (options.baseUrl ?? "").replace(/\/$/, "");
  let cookie = options.cookie;
  const keep = options.keepCookies ?? options.cookie !== undefined;

  return {
    get cookie() {
      return cookie;
    },
    async send(method, path, query, body) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (cookie && !options.apiKey) headers.cookie = cookie;
      const target = `${API_PREFIX}${path}${queryString(query)}`;
      const text = body === undefined ? undefined : JSON.stringify(body);
      if (options.apiKey)
        Object.assign(headers, await signedHeaders(options.apiKey, method, target, text ?? "", options.now));
      let res: Response;
      try {
        res = await doFetch(`${base}${target}`, {
          method,
          headers,
          credentials: options.apiKey ? "omit" : "include",
          body: text,
        });
      } catch (cause) {
        throw Object.assign(new ApiError(0, "NETWORK", "the API could not be reached"), { cause });
      }
      if (keep) {
        const set = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0] ?? "");
        const session = set.filter((c) => c.includes("="));
        if (session.length > 0) cookie = session.join("; ");
      }
      const answer = await res.text();
      let data: unknown = null;
      if (answer) {
        try {
          data = JSON.parse(answer);
        } catch {
          data = null;
        }
      }
      if (!res.ok) throw errorOf(res.status, data);
      return data;
    },
  };
}

let lastStamp = 0;
/**
 * Date.now, but strictly increasing: a signature is accepted once, so two identical requests sent in
 * the same millisecond would sign alike and the second be refused as SIGNATURE_REPLAYED.
 */
export function signatureClock(): number {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return lastStamp;
}

/** OX-ACCESS-* headers: base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body)). */
export async function signedHeaders(
  key: { id: string; secret: string },
  method: string,
  pathWithQuery: string,
  body: string,
  now: () => number = signatureClock,
): Promise<Record<string, string>> {
  const timestamp = String(now());
  const encoder = new TextEncoder();
  const hmac = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    hmac,
    encoder.encode(timestamp + method + pathWithQuery + body),
  );
  let binary = "";
  for (const byte of new Uint8Array(mac)) binary += String.fromCharCode(byte);
  return { "OX-ACCESS-KEY": key.id, "OX-ACCESS-TIMESTAMP": timestamp, "OX-ACCESS-SIGNATURE": btoa(binary) };
}

function errorOf(status: number, data: unknown): ApiError {
  const err = (data as Contracts.ErrorResponse | null)?.error;
  if (err && typeof err.code === "string")
    return new ApiError(status, err.code as ErrorCode, err.message || err.code, err.requestId);
  return new ApiError(status, "HTTP_ERROR", `request failed (${status})`);
}

function queryString(query: object | undefined): string {
  if (!query) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

function fillPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });
}

/** Binds one spec to a transport. */
export function operation<const S extends OperationSpec>(transport: Transport, spec: S): Operation<S> {
  const call = (args?: { params?: Record<string, string>; query?: object; body?: unknown }) =>
    transport.send(spec.method, fillPath(spec.path, args?.params), args?.query, args?.body);
  return Object.assign(call, { spec }) as unknown as Operation<S>;
}
