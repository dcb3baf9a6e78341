// Sign-in: the platform issues the learner's token and opens the app with it in the URL fragment (`#token=...`),
// which is moved to sessionStorage at once and removed from the address bar; in `pathwise demo` mode, a picker of
// demo learners asks the server for a short-lived token (POST /demo/token).
const STORAGE_KEY = "pathwise.learner.token";

export interface Session {
  token: string;
  userId: string;
}

interface Claims {
  sub?: unknown;
  exp?: unknown;
}

/** The claims of a JWT, read without checking the signature (the server checks it); null if unreadable. */
export function claimsOf(token: string): Claims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? (claims as Claims) : null;
  } catch {
    return null;
  }
}

/** A session for a token that names a learner and has not expired; null otherwise. */
export function sessionFor(token: string, nowMs: number = Date.now()): Session | null {
  const claims = claimsOf(token);
  if (!claims || typeof claims.sub !== "string") return null;
  if (typeof claims.exp === "number" && claims.exp * 1000 <= nowMs) return null;
  return { token, userId: claims.sub };
}

/** The token of the URL fragment (then removed from the address bar and kept for this tab), else the kept one. */
export function restoreSession(): Session | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromUrl = fragment.get("token");
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(history.state, "", window.location.pathname + window.location.search + (rest ? `#${rest}` : ""));
  }
  const token = sessionStorage.getItem(STORAGE_KEY);
  const session = token ? sessionFor(token) : null;
  if (token && !session) sessionStorage.removeItem(STORAGE_KEY);
  return session;
}

/** Keep a token for this tab. */
export function keepToken(token: string): Session | null {
  const session = sessionFor(token);
  if (session) sessionStorage.setItem(STORAGE_KEY, token);
  return session;
}

/** Forget the token (sign out). */
export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export interface DemoLearner {
  userId: string;
  name: string;
}

/** The demo learners, or null when this server is not running `pathwise demo` data (the routes answer 404). */
export async function demoLearners(): Promise<DemoLearner[] | null> {
  const response = await fetch("/demo/learners", { headers: { accept: "application/json" } });
  if (!response.ok) return null;
  const body = (await response.json()) as { learners?: DemoLearner[] };
  return body.learners ?? null;
}

/** A token for a demo learner, or for a brand-new one (`newLearner`). */
export async function demoToken(request: { userId: string } | { newLearner: true }): Promise<Session> {
  const response = await fetch("/demo/token", {
    method: "POST", headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as { token?: string; errors?: { message: string }[] };
  const session = body.token ? keepToken(body.token) : null;
  if (!response.ok || !session) throw new Error(body.errors?.[0]?.message ?? `the server answered ${response.status}`);
  return session;
}
