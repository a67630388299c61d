import type { RefClientMemory, RefState } from "./state.ts";

const FORMAT = "ox-reference-engine/1";

/** The state as JSON: the three maps become entry arrays. */
export function encodeState(state: RefState): Uint8Array {
  const plain = {
    format: FORMAT,
    ...state,
    orderIndexById: [...state.orderIndexById],
    refs: [...state.refs],
    clientMemory: [...state.clientMemory],
  };
  return new TextEncoder().encode(JSON.stringify(plain));
}

export function decodeState(bytes: Uint8Array): RefState {
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
    refs: new Set<string>(plain.refs),
    clientMemory: new Map<string, RefClientMemory>(plain.clientMemory),
    creditsPaise: plain.creditsPaise,
    debitsPaise: plain.debitsPaise,
    feesPaise: plain.feesPaise,
  };
}
