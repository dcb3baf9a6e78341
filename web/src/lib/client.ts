// The GraphQL client of Pathwise's learner app and console: urql with Graphcache, a normalised cache.
// Entities (every object type with an `id`) are keyed `__typename:id`; value objects (connections, payloads,
// reasons) are embedded in their parent, as listed by the generated `valueObjectKeys`. A mutation's payload
// updates every cached entity it returns, so selecting `user { recommendations(first: $first) { ... } }` in a
// mutation updates the cached list with no refetch (see ./operations.ts).
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";

import { valueObjectKeys } from "../gql/keys";

/** The bearer token to send, read before every request (a token may be refreshed); null sends none. */
export type TokenSource = string | null | (() => string | null);

export interface PathwiseClientOptions {
  /** The GraphQL endpoint; the app is served by Pathwise itself, so the default is the same origin's. */
  url?: string;
  token: TokenSource;
  /** For tests and server-side rendering; the browser's fetch by default. */
  fetch?: typeof fetch;
}

/** The token's current value. */
export function currentToken(token: TokenSource): string | null {
  return typeof token === "function" ? token() : token;
}

/** The `Authorization` header for a token, or no header without one. */
export function authorizationHeaders(token: TokenSource): Record<string, string> {
  const value = currentToken(token);
  return value ? { authorization: `Bearer ${value}` } : {};
}

/** An urql client for a Pathwise server: Graphcache first, then the network. */
export function createPathwiseClient(options: PathwiseClientOptions): Client {
  return new Client({
    url: options.url ?? "/graphql",
    fetch: options.fetch,
    // POST always: queries stay out of URLs (and server logs), whatever their length.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: authorizationHeaders(options.token) }),
    exchanges: [cacheExchange({ keys: valueObjectKeys }), fetchExchange],
  });
}
