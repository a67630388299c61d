/**
 * A test client of the trading socket (packages/contracts trading-socket.ts): connects with a
 * signature or a cookie, keeps every server message, waits for the ones a test expects. Also the
 * raw handshake, to read a refusal's HTTP status and error code (a WebSocket client only sees
 * "failed"). Used by the API's tests and the platform's (embedded and distributed).
 */
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import { TRADING_SOCKET_PATH } from "@ox/contracts";

// biome-ignore lint/suspicious/noExplicitAny: tests read server messages loosely
export type Json = Record<string, any>;

/** The three OX-ACCESS-* headers over `GET /api/v1/ws` (README "Trading programmatically"). */
export function signedHandshake(key: { id: string; secret: string }, ts = Date.now()) {
  const sig = createHmac("sha256", key.secret).update(`${ts}GET${TRADING_SOCKET_PATH}`).digest("base64");
  return { "OX-ACCESS-KEY": key.id, "OX-ACCESS-TIMESTAMP": String(ts), "OX-ACCESS-SIGNATURE": sig };
}

export interface SocketClient {
  readonly messages: Json[];
  send(msg: Json | string): void;
  /** The first message (already received or next) matching `match`; fails after `timeoutMs`. */
  next(match: (m: Json) => boolean, what: string, timeoutMs?: number): Promise<Json>;
  /** Sends a message with this id and waits for its ack, error or pong. */
  request(msg: Json): Promise<Json>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function openSocket(baseUrl: string, headers: Record<string, string>): Promise<SocketClient> {
  const url = `${baseUrl.replace(/^http/, "ws").replace(/\/$/, "")}${TRADING_SOCKET_PATH}`;
  const ws = new WebSocket(url, { headers } as unknown as string[]);
  const messages: Json[] = [];
  const waiters = new Set<() => void>();
  let closedResolve: (v: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((r) => {
    closedResolve = r;
  });
  ws.onmessage = (e) => {
    messages.push(JSON.parse(String(e.data)) as Json);
    for (const w of waiters) w();
  };
  ws.onclose = (e) => {
    closedResolve({ code: e.code, reason: e.reason });
    for (const w of waiters) w();
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("the trading socket refused the handshake"));
  });
  let n = 0;
  const client: SocketClient = {
    messages,
    closed,
    send: (msg) => ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)),
    next(match, what, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    request(msg) {
      const id = (msg.id as string | undefined) ?? `m${++n}-${crypto.randomUUID().slice(0, 6)}`;
      client.send({ ...msg, id });
      return client.next((m) => m.id === id && m.type !== undefined, `answer to ${id}`);
    },
    close: () => ws.close(),
  };
  return client;
}

/**
 * The handshake over a raw TCP connection: the HTTP status and the JSON body of a refusal (101 and
 * an empty body when the upgrade was accepted).
 */
export function rawHandshake(baseUrl: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(baseUrl);
  const lines = [
    `GET ${TRADING_SOCKET_PATH} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64")}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ];
  return new Promise<{ status: number; body: Json | null }>((resolve, reject) => {
    const socket = connect(Number(port), hostname === "localhost" ? "127.0.0.1" : hostname);
    let data = "";
    const finish = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const at = data.indexOf("\r\n\r\n");
      const raw = at >= 0 ? data.slice(at + 4) : "";
      const start = raw.indexOf("{");
      let body: Json | null = null;
      try {
        body = start >= 0 ? (JSON.parse(raw.slice(start, raw.lastIndexOf("}") + 1)) as Json) : null;
      } catch {
        body = null;
      }
      socket.destroy();
      resolve({ status, body });
    };
    socket.on("connect", () => socket.write(lines.join("\r\n")));
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
      if (data.startsWith("HTTP/1.1 101") && data.includes("\r\n\r\n")) finish();
      else if (/\r\n\r\n[\s\S]*\}/.test(data)) finish();
    });
    socket.on("end", finish);
    socket.on("error", reject);
    setTimeout(finish, 3_000);
  });
}
