// What every screen is handed: the GraphQL client, the tracker, the session, and navigation.
import type { AnyVariables, Client, DocumentInput, OperationResult, RequestPolicy } from "@urql/core";

import type { Tracker } from "../src/lib/tracker";
import type { Session } from "./session";

/** How many recommendations the home screen shows; every mutation's `user { recommendations }` asks the same. */
export const LIST_SIZE = 10;

export interface App {
  client: Client;
  tracker: Tracker;
  session: Session;
  /** True on a `pathwise demo` server: exercises are graded by POST /demo/answers. */
  demo: boolean;
  navigate(path: string): void;
  signOut(): void;
}

/** What a screen leaves behind to be undone when another one replaces it (subscriptions). */
export type Cleanup = () => void;

export type Screen = (app: App, outlet: HTMLElement, params: Record<string, string>) => Promise<Cleanup | void>;

/** Why an operation failed, in words: the first GraphQL error (with its code) or the network's. */
export function failure(result: OperationResult): string | null {
  const error = result.error;
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) {
    const code = first.extensions?.code;
    return typeof code === "string" ? `${first.message} (${code})` : first.message;
  }
  return error.networkError ? `The server could not be reached: ${error.networkError.message}` : error.message;
}

/** Run a query (cache first unless `policy` says otherwise) and return its data, or throw with why. */
export async function query<Data, Variables extends AnyVariables>(app: App, document: DocumentInput<Data, Variables>,
  variables: Variables, policy: RequestPolicy = "cache-first"): Promise<Data> {
  const result = await app.client.query(document, variables, { requestPolicy: policy }).toPromise();
  const problem = failure(result);
  if (problem !== null || !result.data) throw new Error(problem ?? "no data came back");
  return result.data;
}

/** Run a mutation and return its data, or throw with why. */
export async function mutate<Data, Variables extends AnyVariables>(app: App, document: DocumentInput<Data, Variables>,
  variables: Variables): Promise<Data> {
  const result = await app.client.mutation(document, variables).toPromise();
  const problem = failure(result);
  if (problem !== null || !result.data) throw new Error(problem ?? "no data came back");
  return result.data;
}

/** Throw the first payload error of a mutation (errors as data), if any. */
export function checkPayload(payload: { errors: readonly { message: string; code: string }[] }): void {
  const first = payload.errors[0];
  if (first) throw new Error(`${first.message} (${first.code})`);
}
