import { afterEach, describe, expect, it } from 'vitest';
import { FrameFlag, FrameType } from '../../codec/constants.ts';
import { ErrorCode, type ErrorMessage, type SubscribedMessage } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import type { RecordListener } from '../../bus/bus.ts';
import type { Connection } from '../../server/session/connection.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

/** The in-process bus, refusing interest in the symbols of `refused` as a publisher-only bus does. */
class RefusingBus extends MemoryBus {
  readonly refused = new Set<number>();

  override subscribe(symbolId: number, listener: RecordListener): void {
    if (this.refused.has(symbolId)) throw new Error(`test: no subscribing to ${symbolId}`);
    super.subscribe(symbolId, listener);
  }
}

const AAPL = 1;
const MSFT = 2;

let gw: RunningGateway | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = undefined;
});

async function metric(g: RunningGateway, name: string): Promise<number> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

/** Subscribes `symbols` with request id `id`; returns the ack's symbols and the error for the request, if any. */
async function subscribe(
  c: TestClient,
  id: number,
  symbols: string[],
): Promise<{ accepted: string[]; error: ErrorMessage | undefined }> {
  // Every subscribe with a snapshot ends with one SNAPSHOT_END frame, after its error replies.
  const ends = (): number =>
    c.frames.filter((f) => f.type === FrameType.SNAPSHOT && (f.flags & FrameFlag.SNAPSHOT_END) !== 0).length;
  const before = ends();
  c.send({ op: 'subscribe', id, symbols });
  const ack = await c.message<SubscribedMessage>((m) => m.op === 'subscribed' && m.id === id);
  await c.waitFor(() => ends() > before, 5000, 'SNAPSHOT_END');
  return {
    accepted: ack.symbols,
    error: c.messages.find((m): m is ErrorMessage => m.op === 'error' && m.id === id),
  };
}

describe('subscriptions have one owner', () => {
  it('a subscribe whose bus interest fails leaves nothing behind; a retry fails the same way, then works', async () => {
    const bus = new RefusingBus({ historyDepth: 16 });
    bus.refused.add(MSFT);
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const c = await TestClient.connect(gw.wsUrl);
    clients.push(c);
    const conn: Connection = [...gw.gateway.connections][0]!;

    for (const id of [1, 2]) {
      const { accepted, error } = await subscribe(c, id, ['AAPL', 'MSFT']);
      expect(accepted).toEqual(['AAPL']);
      expect(error?.code).toBe(ErrorCode.INTERNAL);
      expect(error?.symbols).toEqual(['MSFT']);
      // No slot, no outbox state, no router entry, no bus interest for MSFT.
      expect(conn.subscriptions.size).toBe(1);
      expect(conn.subscriptions.has(MSFT)).toBe(false);
      expect(conn.subscriptions.slotOf(AAPL)).toBe(0);
      expect(conn.outbox.hasWork).toBe(false);
      expect(conn.outbox.allClear).toBe(true);
      expect(bus.listenerCount(MSFT)).toBe(0);
      expect(bus.listenerCount(AAPL)).toBe(1);
      expect(await metric(gw, 'tickwall_subscriptions')).toBe(1);
      expect(await metric(gw, 'tickwall_active_symbols')).toBe(1);
    }

    bus.refused.delete(MSFT);
    const retry = await subscribe(c, 3, ['MSFT']);
    expect(retry.accepted).toEqual(['MSFT']);
    expect(retry.error).toBeUndefined();
    // The failed attempts took no slot: MSFT gets the next one.
    expect(conn.subscriptions.slotOf(MSFT)).toBe(1);
    expect(bus.listenerCount(MSFT)).toBe(1);
    expect(await metric(gw, 'tickwall_subscriptions')).toBe(2);

    // And it delivers.
    const seq = pub.trade(MSFT, 123);
    await c.waitFor(
      () => c.records().some((r) => r.symbolId === MSFT && r.seq === seq),
      5000,
      'the MSFT trade',
    );
  });

  it('a request refused as a whole leaves nothing behind and nothing held', async () => {
    const bus = new RefusingBus({ historyDepth: 16 });
    bus.refused.add(AAPL);
    bus.refused.add(MSFT);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const c = await TestClient.connect(gw.wsUrl);
    clients.push(c);
    const conn: Connection = [...gw.gateway.connections][0]!;
    const { accepted, error } = await subscribe(c, 7, ['AAPL', 'MSFT']);
    expect(accepted).toEqual([]);
    expect(error?.symbols).toEqual(['AAPL', 'MSFT']);
    expect(conn.subscriptions.size).toBe(0);
    expect(conn.outbox.allClear).toBe(true);
    expect(bus.listenerCount(AAPL)).toBe(0);
    expect(await metric(gw, 'tickwall_active_symbols')).toBe(0);
  });
});
