export { createMarketMaker, type MarketMakerOptions } from "./market-maker.ts";
export { createNoiseTrader, type NoiseTraderOptions } from "./noise-trader.ts";
export { createRandom, desiredQuotes, driftFair, type Quote, roundToTick } from "./quotes.ts";
export { login } from "./session.ts";
