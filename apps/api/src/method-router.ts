import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

const ALL = "ALL";

/** Hono's default: RegExpRouter, or TrieRouter for a route table RegExpRouter refuses. */
const smart = <T>() => new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });

/**
 * Hono's default router choice made per HTTP method. RegExpRouter refuses a literal segment and a
 * parameter side by side under one method (`DELETE /orders/batch` beside `DELETE /orders/:id`),
 * and Hono's SmartRouter then routes EVERY method through the TrieRouter: about 1 µs per match and
 * one params object per handler (9 handlers on POST /orders) instead of a static-map lookup. Here
 * each method has its own SmartRouter (the app's `ALL` middleware in each, in registration order),
 * so only the method with the ambiguous pair falls back, and POST/GET/PATCH keep the fast router.
 */
export class MethodRouter<T> implements Router<T> {
  name = "MethodRouter";
  readonly #all: [string, T][] = [];
  readonly #byMethod = new Map<string, Router<T>>();
  #allOnly: Router<T> | null = null;

  add(method: string, path: string, handler: T): void {
    if (method === ALL) {
      this.#all.push([path, handler]);
      for (const router of this.#byMethod.values()) router.add(ALL, path, handler);
      return;
    }
    let router = this.#byMethod.get(method);
    if (!router) {
      router = smart<T>();
      for (const [p, h] of this.#all) router.add(ALL, p, h);
      this.#byMethod.set(method, router);
    }
    router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const router = this.#byMethod.get(method);
    if (router) return router.match(method, path);
    // A method no route names (OPTIONS, say): only the app's ALL middleware applies.
    if (!this.#allOnly) {
      this.#allOnly = smart<T>();
      for (const [p, h] of this.#all) this.#allOnly.add(ALL, p, h);
    }
    return this.#allOnly.match(method, path);
  }

  /** Which router each method ended up with ("SmartRouter + RegExpRouter"), after the first requests. */
  activeRouters(): Record<string, string> {
    return Object.fromEntries([...this.#byMethod].map(([m, r]) => [m, r.name]));
  }
}
