/** The typed fetch wrapper: cookies included, JSON in and out, `{error:{code,message}}` → ApiError. */

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "DELETE" | "PUT" | "PATCH";

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      method,
      credentials: "include",
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, "NETWORK", "Can't reach the server. Check your connection and try again.", cause);
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

export function toApiError(status: number, data: unknown): ApiError {
  const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  if (err && typeof err === "object") {
    return new ApiError(
      status,
      err.code ?? `HTTP_${status}`,
      err.message || err.code || `Request failed (${status})`,
      err.details,
    );
  }
  const fallback =
    status === 401
      ? "Please log in again."
      : status >= 500
        ? "The server had a problem. Try again."
        : `Request failed (${status})`;
  return new ApiError(status, status === 401 ? "UNAUTHORIZED" : `HTTP_${status}`, fallback);
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, body),
  del: <T>(path: string) => request<T>("DELETE", path),
};

/** Lists may come bare or wrapped (`{orders:[…]}`); accept both. */
export function listOf<T>(data: unknown, key: string): T[] {
  if (Array.isArray(data)) return data as T[];
  const inner = (data as Record<string, unknown> | null)?.[key];
  if (Array.isArray(inner)) return inner as T[];
  const items = (data as Record<string, unknown> | null)?.items;
  return Array.isArray(items) ? (items as T[]) : [];
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
