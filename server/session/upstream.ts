import type { FeedsMessage, UpstreamMessage } from '../../codec/control.ts';
import type { Bus } from '../../bus/bus.ts';
import type { CatalogueIndex } from '../catalogue-index.ts';
import type { Connection } from './connection.ts';

const READY_TEXT = JSON.stringify({ op: 'upstream', ready: true } satisfies UpstreamMessage);
const NOT_READY_TEXT = JSON.stringify({ op: 'upstream', ready: false } satisfies UpstreamMessage);

/**
 * What each client is told about the gateway's feed path, and only when it changed for that
 * client. `upstream` is the gateway's own path: its bus, and the feeds in its own process. A feeds
 * process elsewhere that goes silent (the bus's `feedsDown`) is told per symbol, in `feeds`
 * messages listing the client's own symbols that are down, so a screen marks those stale and keeps
 * the others live: with one feeds process per venue, losing one must not blank a whole wall. A
 * client that did not ask for `feeds` messages (handshake `feeds=symbols`, docs/protocol.md) is
 * told `upstream` false instead while any symbol is down, as before they existed.
 */
export class Upstream {
  constructor(
    private readonly bus: Pick<Bus, 'feedsDown'>,
    private readonly catalogue: CatalogueIndex,
    /** The gateway's own feed path: the bus, and the feeds in this process if any. */
    private readonly gatewayReady: () => boolean,
  ) {}

  /** The `upstream` state `conn` sees now (its hello's, then its `upstream` messages'). */
  private readyFor(conn: Connection): boolean {
    return this.gatewayReady() && (conn.feedsPerSymbol || (this.bus.feedsDown?.size ?? 0) === 0);
  }

  /** The state for `conn`'s hello, recorded as told: later messages are changes from it. */
  hello(conn: Connection): boolean {
    conn.upstreamTold = this.readyFor(conn);
    return conn.upstreamTold;
  }

  /** Sends `conn` its upstream state and its symbols down, each only if changed since it was last told. */
  tell(conn: Connection): void {
    if (conn.closed) return;
    const ready = this.readyFor(conn);
    if (ready !== conn.upstreamTold) {
      conn.upstreamTold = ready;
      conn.sendText(ready ? READY_TEXT : NOT_READY_TEXT);
    }
    if (!conn.feedsPerSymbol) return;
    const down = this.bus.feedsDown;
    const names: string[] = [];
    if (down !== undefined && down.size > 0) {
      // Whichever set is smaller is walked: a client may watch hundreds, a lost process feed thousands.
      const subs = conn.subscriptions;
      if (down.size <= subs.size) {
        for (const id of down) if (subs.has(id)) names.push(this.name(id));
      } else {
        for (const id of subs.symbols()) if (down.has(id)) names.push(this.name(id));
      }
      names.sort();
    }
    const key = names.join(' ');
    if (key === conn.feedsDownTold) return;
    conn.feedsDownTold = key;
    conn.send({ op: 'feeds', down: names } satisfies FeedsMessage);
  }

  /** Tells every connection what changed for it (bus status, feeds processes, in-process feeds). */
  announce(connections: Iterable<Connection>): void {
    for (const conn of connections) this.tell(conn);
  }

  private name(id: number): string {
    return this.catalogue.byId.get(id)?.symbol ?? String(id);
  }
}
