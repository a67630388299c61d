import { fresh, type RefAmendMemory, type RefClientMemory, type RefState } from "./state.ts";

const FORMAT = "ox-reference-engine/2";

/** The state as JSON: the maps become entry arrays, holding only what is still remembered. */
export function encodeState(state: RefState): Uint8Array {
  const { dedupeWindowMs: _window, ...rest } = state;
  const plain = {
    format: FORMAT,
    ...rest,
    orderIndexById: [...state.orderIndexById],
    refs: [...state.refs].filter(([, at]) => fresh(state, at)),
    clientMemory: [...state.clientMemory].filter(([, m]) => fresh(state, m.at)),
    amendMemory: [...state.amendMemory].filter(([, m]) => fresh(state, m.at)),
  };
  return new TextEncoder().encode(JSON.stringify(plain));
}

export function decodeState(bytes: Uint8Array, dedupeWindowMs: number): RefState {
  const plain = JSON.parse(new TextDecoder().decode(bytes));
  if (plain.format !== FORMAT)
    throw new Error(`reference engine: unknown snapshot format ${String(plain.format)}`);
  return {
    seq: plain.seq,
    users: plain.users,
    markets: plain.markets,
    positions: plain.positions,
    orders: plain.orders,
    orderIndexById: new Map<string, number>(plain.orderIndexById),
    refs: new Map<string, number>(plain.refs),
    clock: plain.clock,
    dedupeWindowMs,
    clientMemory: new Map<string, RefClientMemory>(plain.clientMemory),
    amendMemory: new Map<string, RefAmendMemory>(plain.amendMemory ?? []),
    creditsPaise: plain.creditsPaise,
    debitsPaise: plain.debitsPaise,
    feesPaise: plain.feesPaise,
  };
}
