import type { StreamClient } from '../stream/index.ts';

/** Where the page keeps its token: this origin's localStorage, read by no other site. */
export const TOKEN_KEY = 'tickwall.token';

/**
 * Takes a token handed over in the address's fragment (`#token=<jwt>`: a kiosk provisioning link,
 * or a deployment's login page redirecting here), stores it and removes it from the address bar.
 * The fragment never reaches a server; it must not stay where it can be copied or bookmarked.
 */
export function takeFragmentToken(loc: Location = location, storage: Storage = localStorage): void {
  const params = new URLSearchParams(loc.hash.slice(1));
  const token = params.get('token');
  if (token === null) return;
  if (token !== '') storage.setItem(TOKEN_KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${loc.pathname}${loc.search}${rest === '' ? '' : `#${rest}`}`);
}

/** The `refresh` URL parameter: an address that answers a new token for the current session. */
export function refreshUrl(search: string = location.search): string | null {
  const u = new URLSearchParams(search).get('refresh');
  return u === null || u === '' ? null : u;
}

/**
 * The page's sign-in: the stored token (what the stream client's credentials use), sign-in and
 * sign-out, and refreshing before `exp` through the refresh URL when there is one. Without one,
 * `renewBy` says when sign-in is needed again, and the desk asks for it.
 */
export class Session {
  /** Set when the token expires soon and could not be refreshed: sign in again before this time (ms). */
  renewBy: number | null = null;

  constructor(
    private readonly storage: Storage = localStorage,
    private readonly refresh: string | null = refreshUrl(),
  ) {}

  /** The stored token, or null. */
  get token(): string | null {
    return this.storage.getItem(TOKEN_KEY);
  }

  /** Wires the session to the client: refresh on `expiring`, ask again when refresh fails. */
  attach(client: StreamClient): void {
    client.on('expiring', (expiresAt) => void this.onExpiring(client, expiresAt));
    client.on('auth-refused', () => {
      this.renewBy = client.identity.expiresAt;
      client.stateSerial++;
    });
    client.on('identity', () => {
      if (client.identity.expiresAt === null || client.identity.expiresAt > (this.renewBy ?? 0))
        this.renewBy = null;
    });
  }

  /** Stores a token and connects with it. */
  signIn(client: StreamClient, token: string): void {
    this.storage.setItem(TOKEN_KEY, token.trim());
    this.renewBy = null;
    client.reconnect();
  }

  /** Forgets the token and connects without one (a gateway that requires sign-in then says so). */
  signOut(client: StreamClient): void {
    this.storage.removeItem(TOKEN_KEY);
    this.renewBy = null;
    client.reconnect();
  }

  private async onExpiring(client: StreamClient, expiresAt: number): Promise<void> {
    const token = this.refresh === null ? null : await this.fetchToken(this.refresh);
    if (token !== null) {
      this.storage.setItem(TOKEN_KEY, token);
      if (client.authenticate(token)) return;
    }
    this.renewBy = expiresAt;
    client.stateSerial++;
  }

  /** A new token from the refresh URL (JSON `{"token": …}` or the bare token), or null. */
  private async fetchToken(url: string): Promise<string | null> {
    try {
      const res = await fetch(url, { cache: 'no-store', credentials: 'include' });
      if (!res.ok) return null;
      const text = (await res.text()).trim();
      if (text.startsWith('{')) {
        const token = (JSON.parse(text) as { token?: unknown }).token;
        return typeof token === 'string' && token !== '' ? token : null;
      }
      return text === '' ? null : text;
    } catch {
      return null;
    }
  }
}
