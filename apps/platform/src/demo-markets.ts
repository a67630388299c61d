/**
 * Demo markets for a first start, created through the admin route's own transaction (catalogue row,
 * engine outbox row, audit row) by an internal seeder account: no login, so it works whatever
 * ADMIN_PHONES says, and the seeder never holds the admin role.
 */
import { createAccountsRepo, type Db, markets } from "@ox/db";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoMarket {
  title: string;
  description: string;
  category: string;
  rules: string;
  resolutionSource: string;
  closeInMs: number;
}

export const demoMarkets: DemoMarket[] = [
  {
    title: "Will India win the next ODI against Australia?",
    description: "India vs Australia, the next scheduled one-day international.",
    category: "cricket",
    rules: "Resolves YES if India wins per the official ICC scorecard; NO on a loss, tie or no result.",
    resolutionSource: "ICC official scorecard",
    closeInMs: 3 * DAY,
  },
  {
    title: "Will Virat Kohli score a century in the next Test?",
    description: "Any innings of India's next Test match.",
    category: "cricket",
    rules: "Resolves YES if Kohli scores 100 or more in either innings per the official scorecard.",
    resolutionSource: "ESPNcricinfo / BCCI scorecard",
    closeInMs: 6 * DAY,
  },
  {
    title: "Will voter turnout in the next Lok Sabha phase exceed 65%?",
    description: "Provisional turnout published by the Election Commission of India.",
    category: "politics",
    rules: "Resolves YES if the ECI's provisional turnout for the phase is above 65.0%.",
    resolutionSource: "Election Commission of India press note",
    closeInMs: 10 * DAY,
  },
  {
    title: "Will Bitcoin close above $100,000 this Friday?",
    description: "BTC/USD daily close (00:00 UTC) on Friday.",
    category: "crypto",
    rules: "Resolves YES if the CoinGecko BTC/USD daily close is strictly above 100,000.",
    resolutionSource: "CoinGecko BTC/USD daily close",
    closeInMs: 4 * DAY,
  },
  {
    title: "Will the top Bollywood release this weekend gross ₹100 crore in India?",
    description: "Domestic net collections of the biggest release, opening weekend.",
    category: "entertainment",
    rules: "Resolves YES if producer-reported domestic net collections reach ₹100 crore by Sunday.",
    resolutionSource: "Producer box-office statement",
    closeInMs: 5 * DAY,
  },
];

export interface DemoSeedTarget {
  db: Db;
  createMarket(actorId: string, input: Omit<DemoMarket, "closeInMs"> & { closeAt: number }): Promise<string>;
}

/** The account the audit log names as the demo markets' creator. Phones in ADMIN_PHONES keep the role. */
export const SEEDER_PHONE = "+919000000009";

/** Creates the demo markets when the exchange has none yet. Returns how many it created. */
export async function seedDemoMarkets(
  target: DemoSeedTarget,
  now: number,
  adminPhones: string[],
): Promise<number> {
  const existing = await target.db.select({ id: markets.id }).from(markets).limit(1);
  if (existing.length > 0) return 0;
  const { user } = await createAccountsRepo(target.db).loginByPhone({
    phone: SEEDER_PHONE,
    role: adminPhones.includes(SEEDER_PHONE) ? "ADMIN" : "USER",
    signupBonusPaise: 0,
    now,
  });
  for (const { closeInMs, ...m } of demoMarkets)
    await target.createMarket(user.id, { ...m, closeAt: now + closeInMs });
  return demoMarkets.length;
}
