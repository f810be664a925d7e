import { parseClientMessage } from '../../codec/control-parser.ts';
import {
  CloseCode,
  ErrorCode,
  type AuthMessage,
  type ClientMessage,
  type ErrorMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from '../../codec/control.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogueIndex } from '../catalogue-index.ts';
import type { GatewayConfig } from '../config.ts';
import type { Connection } from './connection.ts';
import { OVER_LIMIT } from './subscriptions.ts';
import type { Snapshotter, SnapshotRequest } from '../engine/snapshot.ts';
import type { GatewayStats } from '../stats.ts';
import type { Upstream } from './upstream.ts';
import type { Identity } from '../identity/identity.ts';

/** What the control protocol needs of the gateway: its limits, catalogue, counters, snapshots and notices. */
export interface ControlContext {
  config: Pick<
    GatewayConfig,
    'maxMessageBytes' | 'maxMessagesPerSec' | 'maxHistory' | 'defaultHistory' | 'maxSymbols'
  >;
  catalogue: CatalogueIndex;
  stats: GatewayStats;
  snapshotter: Snapshotter;
  upstream: Upstream;
  log: FastifyBaseLogger;
  /** Verifies `auth` tokens and writes their audit lines. */
  identity: Identity;
}

/** Counts and sends an error reply. */
export function replyError(
  ctx: ControlContext,
  conn: Connection,
  code: ErrorCode,
  message: string,
  id?: number,
  symbols?: string[],
  reason?: string,
): void {
  ctx.stats.controlErrors.set(code, (ctx.stats.controlErrors.get(code) ?? 0) + 1);
  const reply: ErrorMessage = { op: 'error', code, message };
  if (id !== undefined) reply.id = id;
  if (symbols !== undefined) reply.symbols = symbols;
  if (reason !== undefined) reply.reason = reason;
  conn.send(reply);
}

/**
 * Handles one frame from a client, in the order docs/protocol.md 5.9 gives: size, rate limit,
 * type, then parse, validate and dispatch. Never throws.
 */
export function handleClientFrame(
  ctx: ControlContext,
  conn: Connection,
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): void {
  // The frame's own length is its UTF-8 size: no decoding needed to refuse it.
  const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
  const max = ctx.config.maxMessageBytes;
  if (bytes > max) {
    replyError(ctx, conn, ErrorCode.MESSAGE_TOO_BIG, `message of ${bytes} bytes, over ${max}`);
    conn.close(CloseCode.MESSAGE_TOO_BIG, ErrorCode.MESSAGE_TOO_BIG);
    return;
  }
  // Every frame counts, binary ones too: each would otherwise earn a reply without limit.
  const verdict = conn.limiter.take(Date.now());
  if (verdict !== 'ok') {
    if (verdict === 'warn') {
      replyError(
        ctx,
        conn,
        ErrorCode.RATE_LIMITED,
        `more than ${ctx.config.maxMessagesPerSec} control messages per second`,
      );
    } else if (verdict === 'close') {
      ctx.stats.rateLimitCloses++;
      conn.close(CloseCode.POLICY_VIOLATION, ErrorCode.RATE_LIMITED);
    }
    return;
  }
  if (isBinary) {
    replyError(ctx, conn, ErrorCode.UNSUPPORTED_DATA, 'clients send JSON text frames only');
    return;
  }
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString()
    : Buffer.isBuffer(data)
      ? data.toString()
      : Buffer.from(data).toString();
  const parsed = parseClientMessage(text, max);
  if (!parsed.ok) {
    replyError(ctx, conn, parsed.code, parsed.message, parsed.id);
    return;
  }
  // While an `auth` is verified, later messages wait, so replies keep the order of requests.
  if (conn.auth.queue !== null) {
    conn.auth.queue.push(parsed.message);
    return;
  }
  dispatch(ctx, conn, parsed.message);
}

function dispatch(ctx: ControlContext, conn: Connection, msg: ClientMessage): void {
  switch (msg.op) {
    case 'subscribe':
      subscribe(ctx, conn, msg);
      return;
    case 'unsubscribe':
      unsubscribe(ctx, conn, msg);
      return;
    case 'list':
      conn.sendText(
        `{"op":"catalogue",${msg.id === undefined ? '' : `"id":${msg.id},`}"symbols":${ctx.catalogue.jsonFor(conn.auth.principal.symbols)}}`,
      );
      return;
    case 'auth':
      auth(ctx, conn, msg);
      return;
    case 'ping': {
      const pong: { op: 'pong'; id?: number; t?: number; serverTime: number } = {
        op: 'pong',
        serverTime: Date.now(),
      };
      if (msg.id !== undefined) pong.id = msg.id;
      if (msg.t !== undefined) pong.t = msg.t;
      conn.send(pong);
      return;
    }
  }
}

function subscribe(ctx: ControlContext, conn: Connection, msg: SubscribeMessage): void {
  const { config } = ctx;
  const wantSnapshot = msg.snapshot !== false;
  const maxRate = msg.maxRate ?? 0;
  if (msg.history !== undefined && msg.history > config.maxHistory) {
    replyError(
      ctx,
      conn,
      ErrorCode.BAD_MESSAGE,
      `subscribe: /history must be <= ${config.maxHistory}`,
      msg.id,
    );
    return;
  }
  const history = msg.history ?? config.defaultHistory;
  const accepted: string[] = [];
  const notEntitled: string[] = [];
  const rights = conn.auth.principal.symbols;
  const unknown: string[] = [];
  const tooMany: string[] = [];
  const failed: string[] = [];
  const snapshots: SnapshotRequest[] = [];
  const seen = new Set<string>();
  for (const symbol of msg.symbols) {
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    // Rights first: whether a symbol the user may not see exists is not theirs to learn either.
    if (!rights.grants(symbol)) {
      notEntitled.push(symbol);
      continue;
    }
    const entry = ctx.catalogue.bySymbol.get(symbol);
    if (entry === undefined) {
      unknown.push(symbol);
      continue;
    }
    let slot: number;
    try {
      slot = conn.subscriptions.open(entry.id, maxRate, wantSnapshot);
    } catch (err) {
      // The bus refused interest in the symbol; the subscription left nothing behind.
      ctx.log.error({ err, conn: conn.id, symbol }, 'subscribe failed');
      failed.push(symbol);
      continue;
    }
    if (slot === OVER_LIMIT) {
      tooMany.push(symbol);
      continue;
    }
    accepted.push(symbol);
    if (wantSnapshot) snapshots.push({ symbolId: entry.id, slot, gen: conn.subscriptions.snapshotGen(slot) });
  }
  const ack: { op: 'subscribed'; id?: number; symbols: string[]; snapshot: boolean; maxRate?: number } = {
    op: 'subscribed',
    symbols: accepted,
    snapshot: wantSnapshot,
  };
  if (msg.id !== undefined) ack.id = msg.id;
  if (msg.maxRate !== undefined) ack.maxRate = msg.maxRate;
  // Errors about some of the symbols first: the ack is the request's final reply (protocol 4.1).
  if (notEntitled.length > 0) {
    replyError(
      ctx,
      conn,
      ErrorCode.NOT_ENTITLED,
      `not granted to ${conn.auth.principal.sub}: ${notEntitled.slice(0, 8).join(', ')}`,
      msg.id,
      notEntitled,
    );
  }
  if (unknown.length > 0) {
    replyError(
      ctx,
      conn,
      ErrorCode.UNKNOWN_SYMBOL,
      `not in the catalogue: ${unknown.slice(0, 8).join(', ')}`,
      msg.id,
      unknown,
    );
  }
  if (tooMany.length > 0) {
    replyError(
      ctx,
      conn,
      ErrorCode.TOO_MANY_SYMBOLS,
      `at most ${config.maxSymbols} symbols per connection`,
      msg.id,
      tooMany,
    );
  }
  if (failed.length > 0) {
    replyError(
      ctx,
      conn,
      ErrorCode.INTERNAL,
      `cannot subscribe now: ${failed.slice(0, 8).join(', ')}`,
      msg.id,
      failed,
    );
  }
  conn.send(ack);
  ctx.upstream.tell(conn);
  if (wantSnapshot) {
    ctx.snapshotter.send(conn, snapshots, history, msg.id).catch((err: unknown) => {
      ctx.log.error({ err, conn: conn.id }, 'snapshot failed');
    });
  }
}

function unsubscribe(ctx: ControlContext, conn: Connection, msg: UnsubscribeMessage): void {
  const removed: string[] = [];
  const notHeld: string[] = [];
  for (const symbol of new Set(msg.symbols)) {
    const entry = ctx.catalogue.bySymbol.get(symbol);
    if (entry === undefined || !conn.subscriptions.drop(entry.id)) {
      notHeld.push(symbol);
      continue;
    }
    removed.push(symbol);
  }
  const ack: { op: 'unsubscribed'; id?: number; symbols: string[] } = {
    op: 'unsubscribed',
    symbols: removed,
  };
  if (msg.id !== undefined) ack.id = msg.id;
  if (notHeld.length > 0) {
    replyError(
      ctx,
      conn,
      ErrorCode.NOT_SUBSCRIBED,
      `not subscribed: ${notHeld.slice(0, 8).join(', ')}`,
      msg.id,
      notHeld,
    );
  }
  conn.send(ack);
  ctx.upstream.tell(conn);
}

/**
 * `auth`: verifies the new token (asynchronously; later messages wait), and when it is good and
 * names the same user, puts it in force: new expiry, rights evaluated again, symbols no longer
 * granted dropped with NOT_ENTITLED. A refused token leaves the connection as it was.
 */
function auth(ctx: ControlContext, conn: Connection, msg: AuthMessage): void {
  conn.auth.queue = [];
  const sub = conn.auth.principal.sub;
  ctx.identity
    .signIn(msg.token, conn.ip, 'auth', ctx.log, sub)
    .then(
      (verdict) => {
        if (conn.state !== 'open') return;
        if (!verdict.ok) {
          replyError(ctx, conn, ErrorCode.AUTH_REFUSED, verdict.message, msg.id, undefined, verdict.code);
          return;
        }
        conn.auth.replace(verdict);
        const dropped: string[] = [];
        for (const symbolId of [...conn.subscriptions.symbols()]) {
          const symbol = ctx.catalogue.byId.get(symbolId)?.symbol;
          if (symbol === undefined || verdict.symbols.grants(symbol)) continue;
          conn.subscriptions.drop(symbolId);
          dropped.push(symbol);
        }
        // Errors first: `authenticated` is the request's final reply (protocol 4.1).
        if (dropped.length > 0) {
          ctx.upstream.tell(conn);
          replyError(
            ctx,
            conn,
            ErrorCode.NOT_ENTITLED,
            `no longer granted to ${verdict.sub}: ${dropped.slice(0, 8).join(', ')}`,
            msg.id,
            dropped,
          );
        }
        const reply: { op: 'authenticated'; id?: number; sub: string; expiresAt: number | null } = {
          op: 'authenticated',
          sub: verdict.sub,
          expiresAt: verdict.expiresAt,
        };
        if (msg.id !== undefined) reply.id = msg.id;
        conn.send(reply);
      },
      (err: unknown) => {
        ctx.log.error({ err, conn: conn.id }, 'auth failed');
        replyError(ctx, conn, ErrorCode.INTERNAL, 'internal error', msg.id);
      },
    )
    .finally(() => {
      const held = conn.auth.queue ?? [];
      conn.auth.queue = null;
      for (let i = 0; i < held.length && conn.state === 'open'; i++) {
        dispatch(ctx, conn, held[i]!);
        // Another `auth` among them: the rest wait for it in turn.
        if (conn.auth.queue !== null) {
          (conn.auth.queue as ClientMessage[]).push(...held.slice(i + 1));
          break;
        }
      }
    });
}
