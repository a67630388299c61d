/** Fixture data for the mock API, in the shapes SPEC §6 and the contracts use. */
const H = 3_600_000;
export const now = () => Date.now();

export const markets = [
  {
    id: "ind-aus-final",
    title: "Will India win the World Cup final against Australia?",
    category: "Cricket",
    rules:
      "Resolves YES if India is declared winner of the final by the ICC. A tie or no result resolves VOID.",
    resolutionSource: "icc-cricket.com official scorecard",
    description: "The final is played in Ahmedabad.",
    status: "OPEN",
    closeAt: now() + 26 * H,
    tick: 50,
    yesPrice: 650,
    noPrice: 400,
    lastPrice: 620,
    volume: 184_500,
  },
  {
    id: "kohli-century",
    title: "Will Virat Kohli score a century in the next ODI?",
    category: "Cricket",
    rules: "Resolves YES if Kohli scores 100 or more runs.",
    resolutionSource: "ESPNcricinfo",
    status: "OPEN",
    closeAt: now() + 3 * H + 12 * 60_000,
    tick: 50,
    yesPrice: 250,
    noPrice: 800,
    lastPrice: 240,
    volume: 52_300,
  },
  {
    id: "repo-rate-cut",
    title: "Will RBI cut the repo rate at the next policy meeting?",
    category: "Economy",
    rules: "Resolves YES if the RBI MPC announces a cut.",
    resolutionSource: "rbi.org.in press release",
    status: "OPEN",
    closeAt: now() + 6 * 24 * H,
    tick: 50,
    yesPrice: 300,
    noPrice: 750,
    lastPrice: 300,
    volume: 9_800,
  },
  {
    id: "btc-100k",
    title: "Will Bitcoin close above $100,000 on Friday?",
    category: "Crypto",
    rules: "Coinbase BTC-USD daily close at 23:59 UTC.",
    resolutionSource: "Coinbase",
    status: "OPEN",
    closeAt: now() + 2 * 24 * H,
    tick: 50,
    yesPrice: 550,
    noPrice: 500,
    lastPrice: 520,
    volume: 1_250_000,
  },
  {
    id: "mumbai-rain",
    title: "Will Mumbai get more than 50 mm of rain tomorrow?",
    category: "Weather",
    rules: "IMD Santacruz observatory reading.",
    resolutionSource: "IMD",
    status: "OPEN",
    closeAt: now() + 14 * H,
    tick: 50,
    yesPrice: 700,
    noPrice: 350,
    lastPrice: 680,
    volume: 3_400,
  },
  {
    id: "election-turnout",
    title: "Will voter turnout exceed 65% in the Delhi election?",
    category: "Politics",
    rules: "ECI final turnout figure.",
    resolutionSource: "eci.gov.in",
    status: "RESOLVED",
    outcome: "YES",
    closeAt: now() - 48 * H,
    tick: 50,
    yesPrice: null,
    noPrice: null,
    lastPrice: 900,
    volume: 77_000,
  },
];

/** Bids per outcome around a market's prices: best YES bid = 1000 − NO ask, and the mirror. */
export const book = (seq: number, marketId = "ind-aus-final") => {
  const m = markets.find((x) => x.id === marketId);
  const yesTop = 1000 - (m?.noPrice ?? 400);
  const noTop = 1000 - (m?.yesPrice ?? 650);
  const qtys = [120, 340, 800, 95, 60];
  const levels = (top: number, n: number) =>
    qtys
      .slice(0, n)
      .map((qty, i) => ({ price: top - i * 50, qty }))
      .filter((l) => l.price > 0);
  return {
    seq,
    yes: m?.status === "OPEN" ? levels(yesTop, 5) : [],
    no: m?.status === "OPEN" ? levels(noTop, 4) : [],
  };
};

export function candles(interval: string) {
  const step =
    ({ "1m": 60_000, "5m": 300_000, "1h": H, "1d": 24 * H } as Record<string, number>)[interval] ?? 300_000;
  const out = [];
  let p = 480;
  for (let i = 60; i > 0; i--) {
    const open = p;
    const drift = Math.round(Math.sin(i / 6) * 20 + Math.cos(i / 2.3) * 12 - 4);
    p = Math.min(950, Math.max(50, p - drift));
    out.push({
      time: now() - i * step,
      open,
      high: Math.max(open, p) + 25,
      low: Math.min(open, p) - 25,
      close: p,
      volume: 10 + ((i * 13) % 50),
    });
  }
  return out;
}

export const trades = Array.from({ length: 8 }, (_, i) => ({
  marketId: "ind-aus-final",
  seq: 100 - i,
  ts: now() - i * 95_000,
  kind: i % 3 === 0 ? "MINT" : "TRANSFER",
  qty: 5 + ((i * 7) % 30),
  yesPrice: 600 + ((i % 3) - 1) * 50,
  noPrice: 400 - ((i % 3) - 1) * 50,
  takerOutcome: i % 2 ? "YES" : "NO",
  takerSide: "BUY",
}));

export const user = {
  id: "7c1a0000-0000-4000-8000-000000000001",
  phone: "+919876543210",
  role: "ADMIN",
  referralCode: "RAHUL42",
  isNew: false,
  createdAt: now(),
};

export const portfolio = {
  balance: { available: 128_450, locked: 6_500 },
  positions: [
    {
      marketId: "ind-aus-final",
      yesQty: 20,
      noQty: 0,
      yesLockedQty: 0,
      noLockedQty: 0,
      yesCostPaise: 11_000,
      noCostPaise: 0,
    },
    {
      marketId: "btc-100k",
      yesQty: 0,
      noQty: 15,
      yesLockedQty: 0,
      noLockedQty: 0,
      yesCostPaise: 0,
      noCostPaise: 8_250,
    },
  ],
  settled: [
    {
      marketId: "election-turnout",
      title: "Will voter turnout exceed 65% in the Delhi election?",
      outcome: "YES",
      payout: 10_000,
    },
  ],
};

export const orders = [
  {
    id: "ord-8f3a91c2",
    marketId: "ind-aus-final",
    clientOrderId: null,
    outcome: "YES",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    postOnly: false,
    pricePaise: 550,
    quantity: 10,
    status: "OPEN",
    filledQty: 0,
    remainingQty: 10,
    filledValuePaise: 0,
    avgPrice: null,
    feesPaise: 0,
    createdAt: now() - 600_000,
  },
  {
    id: "ord-2b77d410",
    marketId: "repo-rate-cut",
    clientOrderId: null,
    outcome: "NO",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    postOnly: false,
    pricePaise: 700,
    quantity: 4,
    status: "OPEN",
    filledQty: 1,
    remainingQty: 3,
    filledValuePaise: 700,
    avgPrice: 700,
    feesPaise: 0,
    createdAt: now() - 3_600_000,
  },
];

export const fills = [
  {
    tradeSeq: 91,
    marketId: "ind-aus-final",
    outcome: "YES",
    side: "BUY",
    kind: "MINT",
    pricePaise: 550,
    qty: 20,
    feePaise: 0,
    createdAt: now() - 7_200_000,
  },
  {
    tradeSeq: 77,
    marketId: "btc-100k",
    outcome: "NO",
    side: "BUY",
    kind: "TRANSFER",
    pricePaise: 550,
    qty: 15,
    feePaise: 0,
    createdAt: now() - 86_400_000,
  },
];

export const ledger = [
  {
    id: 5,
    kind: "PAYOUT",
    amountPaise: 10_000,
    balanceAfterPaise: 128_450,
    reference: "election-turnout",
    description: null,
    createdAt: now() - 40 * H,
  },
  {
    id: 4,
    kind: "DEPOSIT",
    amountPaise: 100_000,
    balanceAfterPaise: 118_450,
    reference: "dep-1",
    description: null,
    createdAt: now() - 50 * H,
  },
  {
    id: 3,
    kind: "WITHDRAWAL",
    amountPaise: -5_000,
    balanceAfterPaise: 18_450,
    reference: "wd-1",
    description: null,
    createdAt: now() - 60 * H,
  },
  {
    id: 1,
    kind: "SIGNUP_BONUS",
    amountPaise: 1_500,
    balanceAfterPaise: 1_500,
    reference: "bonus",
    description: null,
    createdAt: now() - 90 * H,
  },
];

export const kycQueue = [
  {
    id: "0f0e0000-0000-4000-8000-00000000000a",
    userId: "u-2",
    status: "PENDING",
    pan: "ABCDE1234F",
    name: "Priya Sharma",
    bankAccount: "001234567890",
    ifsc: "HDFC0001234",
    createdAt: now() - 3 * H,
  },
  {
    id: "0f0e0000-0000-4000-8000-00000000000b",
    userId: "u-3",
    status: "PENDING",
    pan: "PQRSX9876K",
    name: "Arjun Mehta",
    bankAccount: "998877665544",
    ifsc: "SBIN0000456",
    createdAt: now() - 5 * H,
  },
];

export const stats = {
  commandQueueDepth: 3,
  engineSeq: 184_223,
  persisterLagEvents: 12,
  persisterLagMs: 48,
  connectedSockets: 27,
  reconcile: { status: "ok", lastRunAt: now() - 60_000, mismatches: 0 },
};
