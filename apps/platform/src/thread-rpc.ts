/**
 * Calls and events between the platform's thread and its persister worker over one message port.
 * Either side serves methods and calls the other's; a reply may transfer its buffers. Errors cross
 * as their message, name, SQLSTATE-like fields and cause chain (what sqlStateOf, isDataError and
 * the API's error mapping read), since a structured clone of an Error keeps only the message.
 */
import type { MessagePort, Worker } from "node:worker_threads";

type Port = Pick<MessagePort | Worker, "postMessage" | "on" | "off">;
export type Handler = (...args: never[]) => unknown;

type Message =
  | { t: "call"; id: number; method: string; args: unknown[] }
  | { t: "reply"; id: number; ok: true; value: unknown }
  | { t: "reply"; id: number; ok: false; error: WireError }
  | { t: "event"; name: string; args: unknown[] };

interface WireError {
  message: string;
  name: string;
  fields: Record<string, string | number | boolean>;
  cause?: WireError;
}

/** A reply whose ArrayBuffers move to the other thread instead of being copied. */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly list: ArrayBuffer[],
  ) {}
}

export interface Rpc {
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  emit(name: string, ...args: unknown[]): void;
  /** Rejects every call in flight and every later one (the other thread is gone). */
  fail(error: Error): void;
  close(): void;
}

export function createRpc(
  port: Port,
  methods: Record<string, Handler>,
  events: Record<string, Handler> = {},
): Rpc {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failed: Error | null = null;

  const onMessage = (message: Message) => {
    switch (message.t) {
      case "call":
        void serve(message);
        return;
      case "reply": {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(fromWire(message.error));
        return;
      }
      case "event":
        (events[message.name] as ((...args: unknown[]) => void) | undefined)?.(...message.args);
    }
  };

  async function serve(message: Extract<Message, { t: "call" }>) {
    const method = methods[message.method] as ((...args: unknown[]) => unknown) | undefined;
    try {
      if (!method) throw new Error(`no method ${message.method}`);
      const value = await method(...message.args);
      if (value instanceof Transfer) {
        port.postMessage({ t: "reply", id: message.id, ok: true, value: value.value }, value.list);
      } else port.postMessage({ t: "reply", id: message.id, ok: true, value });
    } catch (err) {
      port.postMessage({ t: "reply", id: message.id, ok: false, error: toWire(err) });
    }
  }

  port.on("message", onMessage);
  return {
    call<T>(method: string, ...args: unknown[]) {
      if (failed) return Promise.reject(failed);
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ t: "call", id, method, args });
      });
    },
    emit(name, ...args) {
      port.postMessage({ t: "event", name, args });
    },
    fail(error) {
      failed = error;
      for (const call of pending.values()) call.reject(error);
      pending.clear();
    },
    close() {
      port.off("message", onMessage);
    },
  };
}

function toWire(err: unknown, depth = 0): WireError {
  if (!(err instanceof Error)) return { message: String(err), name: "Error", fields: {} };
  const fields: WireError["fields"] = {};
  for (const [key, value] of Object.entries(err)) {
    if (key === "cause") continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      fields[key] = value;
  }
  const wire: WireError = { message: err.message, name: err.name, fields };
  if (err.cause !== undefined && depth < 5) wire.cause = toWire(err.cause, depth + 1);
  return wire;
}

function fromWire(wire: WireError): Error {
  const err = new Error(wire.message, wire.cause ? { cause: fromWire(wire.cause) } : undefined);
  err.name = wire.name;
  Object.assign(err, wire.fields);
  return err;
}
