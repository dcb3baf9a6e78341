// The console's token: pasted into the sign-in form or given as `#token=…` in the URL (then taken out of the
// address bar), kept in sessionStorage, so it lasts as long as the tab and never reaches a server log.
const KEY = "pathwise-console-token";

/** Takes `#token=…` from the URL into the session, then removes it from the address bar. */
export function adoptTokenFromUrl(location: Location, history: History, storage: Storage): void {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = fragment.get("token");
  if (!token) return;
  storage.setItem(KEY, token.trim());
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
}

export function readToken(storage: Storage): string | null {
  return storage.getItem(KEY);
}

export function saveToken(storage: Storage, token: string): void {
  storage.setItem(KEY, token.trim());
}

export function forgetToken(storage: Storage): void {
  storage.removeItem(KEY);
}
