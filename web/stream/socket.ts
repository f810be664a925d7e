/** The part of the WebSocket API the client uses, so Node tests can pass the `ws` package. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** WebSocket.OPEN; not read from the global so the client also loads where WebSocket is absent. */
export const SOCKET_OPEN = 1;

/** The browser's WebSocket. */
export const browserSocket: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

/**
 * `url` with the handshake options this client relies on: a lost feeds process reported per symbol
 * (`feeds` messages, docs/protocol.md) rather than as the whole feed path down.
 */
export function handshakeUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('feeds', 'symbols');
  return u.toString();
}

/** ws:// or wss:// URL of the gateway stream on the page's own origin. */
export function defaultStreamUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
