/**
 * Catalogue reloads against a real gateway: through the admin endpoint (deny by default, tokens)
 * and SIGHUP on a real process. New symbols appear in `list` and can be subscribed; removed ones
 * end their subscriptions with `catalogue-changed`; a changed `decimals` is refused whole.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueChangedMessage, CatalogueMessage, SubscribedMessage } from '../../codec/control.ts';
import { validateFeedOptions } from '../../feeds/options.ts';
import { TestClient } from '../helpers/client.ts';
import { spawnGateway, startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { CATALOGUE, post, PRODUCER_TOKEN, sensor } from './support.ts';

const ADMIN = 'admin-secret';

interface CatalogueFile {
  instruments: Record<string, unknown>[];
  sensors: Record<string, unknown>[];
}

describe('catalogue reload', () => {
  let dir: string;
  let file: string;
  let gw: RunningGateway;
  const original = JSON.parse(readFileSync(CATALOGUE, 'utf8')) as CatalogueFile;
  const write = (edit: (c: CatalogueFile) => void): void => {
    const c = structuredClone(original);
    edit(c);
    writeFileSync(file, JSON.stringify(c));
  };
  const reload = async (
    token: string | null = ADMIN,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${gw.url}/api/admin/catalogue/reload`, {
      method: 'POST',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const symbols = async (c: TestClient, id: number): Promise<string[]> => {
    c.send({ op: 'list', id });
    const m = await c.message<CatalogueMessage>((x) => x.op === 'catalogue' && x.id === id);
    return m.symbols.map((e) => e.symbol);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-reload-'));
    file = join(dir, 'catalogue.json');
    copyFileSync(CATALOGUE, file);
    gw = await startGateway({
      producerTokens: [PRODUCER_TOKEN],
      adminTokens: [ADMIN],
      feeds: validateFeedOptions({ catalogue: file, quoteRate: 1, sensorRate: 1 }),
    });
  });
  afterAll(async () => {
    await gw?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses without an admin token, and is off without admin tokens', async () => {
    expect((await reload(null)).body.code).toBe('ADMIN_UNAUTHORIZED');
    expect((await reload('nope')).status).toBe(401);
    expect((await reload(PRODUCER_TOKEN)).status).toBe(401);
    const off = await startGateway({ feeds: validateFeedOptions({ catalogue: file }) });
    try {
      const res = await fetch(`${off.url}/api/admin/catalogue/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('ADMIN_DISABLED');
    } finally {
      await off.close();
    }
  });

  it('adds and removes symbols live, ending subscriptions to removed ones with a notice', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    c.send({ op: 'subscribe', id: 1, symbols: ['PLANT-TEMP', 'AAPL'] });
    await c.message((m) => m.op === 'subscribed');
    write((cat) => {
      cat.sensors = cat.sensors.filter((s) => s.symbol !== 'PLANT-TEMP');
      cat.sensors.push({
        ...cat.sensors.find((s) => s.symbol === 'MQ-TEMP-1')!,
        id: 120,
        symbol: 'NEW-TEMP',
        source: 'producer',
      });
    });
    const res = await reload();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ added: ['NEW-TEMP'], removed: ['PLANT-TEMP'], restartNeeded: [] });
    const notice = await c.message<CatalogueChangedMessage>((m) => m.op === 'catalogue-changed');
    expect(notice.op).toBe('catalogue-changed');
    expect(notice.added.map((e) => [e.id, e.symbol])).toEqual([[120, 'NEW-TEMP']]);
    expect(notice.removed).toEqual(['PLANT-TEMP']);
    const listed = await symbols(c, 2);
    expect(listed).toContain('NEW-TEMP');
    expect(listed).not.toContain('PLANT-TEMP');
    // Producers follow the file: the removed symbol is unknown, the new one publishable.
    const published = await post(
      gw.url,
      [sensor('PLANT-TEMP', '1.0'), sensor('NEW-TEMP', '1.25')].join('\n'),
    );
    expect((published.body.refused as { code: string }[]).map((r) => r.code)).toEqual(['UNKNOWN_SYMBOL']);
    c.send({ op: 'subscribe', id: 3, symbols: ['NEW-TEMP', 'PLANT-TEMP'] });
    const sub = await c.message<SubscribedMessage>((m) => m.op === 'subscribed' && m.id === 3);
    expect(sub.symbols).toEqual(['NEW-TEMP']);
    expect(await c.message((m) => m.op === 'error' && m.id === 3)).toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    c.close();
  });

  it('refuses a file that changes the decimals of a live symbol, and changes nothing', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    const before = await symbols(c, 1);
    write((cat) => {
      cat.instruments.find((s) => s.symbol === 'ACME')!.decimals = 3;
      cat.instruments.find((s) => s.symbol === 'ACME')!.tickSize = '0.050';
      cat.sensors.push({ ...cat.sensors.find((s) => s.symbol === 'MQ-TEMP-1')!, id: 121, symbol: 'OTHER' });
    });
    const res = await reload();
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CATALOGUE_CONFLICT');
    expect(String(res.body.message)).toMatch(/ACME: decimals 2 would become 3/);
    expect(await symbols(c, 2)).toEqual(before);
    writeFileSync(file, '{ not json');
    expect((await reload()).body.code).toBe('CATALOGUE_UNREADABLE');
    c.close();
  });

  it('reloads on SIGHUP in a real process', async () => {
    copyFileSync(CATALOGUE, file);
    const p = await spawnGateway(['--port', '0', '--catalogue', file, '--rate', '1']);
    try {
      const c = await TestClient.connect(p.wsUrl);
      expect(await symbols(c, 1)).not.toContain('HUP-TEMP');
      write((cat) => {
        cat.sensors.push({
          ...cat.sensors.find((s) => s.symbol === 'MQ-TEMP-1')!,
          id: 130,
          symbol: 'HUP-TEMP',
        });
      });
      p.proc.kill('SIGHUP');
      await c.message((m) => m.op === 'catalogue-changed', 10_000);
      expect(await symbols(c, 2)).toContain('HUP-TEMP');
      c.close();
    } finally {
      await p.stop();
    }
  }, 60_000);
});
