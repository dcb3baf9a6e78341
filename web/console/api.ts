// The console's GraphQL calls: the toolkit's client (urql + Graphcache), always asking the network (the console
// shows numbers as they are now), and errors as one type with the server's code.
import type { AnyVariables, Client, CombinedError, TypedDocumentNode } from "@urql/core";

import { createPathwiseClient, type TokenSource } from "../src/lib/client";

/** A GraphQL error with the server's code (FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, ...), or NETWORK. */
export class ConsoleError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The first error's code and message. */
export function toConsoleError(error: CombinedError): ConsoleError {
  const first = error.graphQLErrors[0];
  if (first) return new ConsoleError(String(first.extensions?.code ?? "ERROR"), first.message);
  return new ConsoleError("NETWORK", error.networkError?.message ?? error.message);
}

export interface Api {
  query<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>, variables: V): Promise<D>;
  mutate<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>, variables: V): Promise<D>;
}

/** Queries and mutations that resolve to data or reject with a ConsoleError. */
export function createApi(token: TokenSource, url = "/graphql"): Api {
  const client: Client = createPathwiseClient({ token, url });
  const settle = <D>(result: { data?: D; error?: CombinedError }): D => {
    if (result.error) throw toConsoleError(result.error);
    if (result.data === undefined) throw new ConsoleError("NETWORK", "the server sent no data");
    return result.data;
  };
  return {
    query: async (document, variables) =>
      settle(await client.query(document, variables, { requestPolicy: "network-only" }).toPromise()),
    mutate: async (document, variables) => settle(await client.mutation(document, variables).toPromise()),
  };
}
