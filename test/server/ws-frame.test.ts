/**
 * server/engine/ws-frame.ts writes LIVE frames straight to ws's socket, reading ws's private fields
 * (`_socket`, `_sender._state`, `_bufferedBytes`). A ws release that renames them would silently
 * send every frame through ws.send instead (correct, but the fan-out's per-frame cost): this test
 * fails then. ws is pinned to an exact version in package.json for the same reason.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType } from '../../codec/constants.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { WsSink } from '../../server/session/ws-sink.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

let gw: RunningGateway | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = undefined;
});

/** Counts, on one server-side WebSocket, the binary messages sent through ws.send and the socket writes made outside it. */
function countWrites(ws: WebSocket): { direct: number; wsBinary: number } {
  const counts = { direct: 0, wsBinary: 0 };
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let inSend = 0;
  const send = ws.send.bind(ws);
  ws.send = ((data: unknown, ...rest: unknown[]) => {
    const opts = rest[0] as { binary?: boolean } | undefined;
    if (typeof opts === 'object' && opts?.binary === true) counts.wsBinary++;
    inSend++;
    try {
      return (send as (...a: unknown[]) => void)(data, ...rest);
    } finally {
      inSend--;
    }
  }) as typeof ws.send;
  const write = socket.write.bind(socket);
  socket.write = ((...args: unknown[]) => {
    if (inSend === 0) counts.direct++;
    return (write as (...a: unknown[]) => boolean)(...args);
  }) as typeof socket.write;
  return counts;
}

describe('ws internals (ws-frame.ts)', () => {
  it('ws is pinned to one exact version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['ws']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('sends every LIVE frame of a fan-out by a direct socket write, not through ws.send', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const readers: TestClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await TestClient.connect(gw.wsUrl);
      clients.push(c);
      readers.push(c);
      c.send({ op: 'subscribe', symbols: ['AAPL', 'MSFT'], snapshot: false });
      await c.message((m) => m.op === 'subscribed');
    }
    const counted = [...gw.gateway.connections].map((conn) => {
      expect(conn.sink).toBeInstanceOf(WsSink);
      return countWrites((conn.sink as WsSink).ws);
    });
    expect(counted).toHaveLength(readers.length);

    const N = 200;
    for (let i = 0; i < N; i++) {
      pub.trade(1 + (i % 2), 100 + i);
      // A control message now and then: the next frame must wait for ws's queue, then go direct again.
      if (i % 50 === 25) for (const c of readers) c.send({ op: 'ping' });
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 7));
    }
    for (const c of readers) {
      await c.waitFor(() => c.records().length === N, 10_000, `${N} records`);
    }
    for (let k = 0; k < readers.length; k++) {
      const live = readers[k]!.frames.filter((f) => f.type === FrameType.LIVE).length;
      expect(live).toBeGreaterThan(5);
      expect(counted[k]!.wsBinary).toBe(0);
      // One socket write per LIVE frame (a pong text goes through ws.send and is not counted).
      expect(counted[k]!.direct).toBe(live);
    }
  });
});
