export { type ApiClient, ApiError, createApiClient } from "./api-client.ts";
export { createMarketMaker, type MarketMakerOptions } from "./market-maker.ts";
export { createRandom, desiredQuotes, driftFair, type Quote, roundToTick } from "./quotes.ts";
