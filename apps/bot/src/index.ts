export { ApiError, createApiClient, type ApiClient } from "./api-client.ts";
export { createMarketMaker, type MarketMakerOptions } from "./market-maker.ts";
export { createRandom, desiredQuotes, driftFair, roundToTick, type Quote } from "./quotes.ts";
