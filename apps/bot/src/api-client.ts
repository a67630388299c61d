/**
 * A small programmatic client of the public HTTP API (docs/order-path.md). It keeps the session cookie the way a
 * browser would, so programs authenticate exactly like people do.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "ApiError";
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  /** A session cookie obtained elsewhere (production bots: no console OTP there). */
  cookie?: string;
  fetch?: typeof fetch;
}

export interface ApiClient {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Phone login; without `otp` it relies on the console SMS provider's `devOtp`. */
  login(phone: string, otp?: string): Promise<{ id: string; role: string }>;
  readonly cookie: string | undefined;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/$/, "");
  let cookie = options.cookie;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (cookie) headers.cookie = cookie;
    const res = await doFetch(`${base}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookies = res.headers.getSetCookie?.() ?? [];
    const session = setCookies.map((c) => c.split(";")[0]).filter((c) => c.includes("="));
    if (session.length > 0) cookie = session.join("; ");
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? "HTTP_ERROR", err?.message ?? res.statusText);
    }
    return json as T;
  }

  async function login(phone: string, otp?: string) {
    const sent = await call<{ devOtp?: string }>("POST", "/auth/otp", { phone });
    const code = otp ?? sent.devOtp;
    if (!code) throw new Error("no OTP: pass one, or run the API with SMS_PROVIDER=console");
    const verified = await call<{ user: { id: string; role: string } }>("POST", "/auth/verify", {
      phone,
      otp: code,
    });
    return verified.user;
  }

  return {
    call,
    login,
    get cookie() {
      return cookie;
    },
  };
}
