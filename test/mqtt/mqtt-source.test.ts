/**
 * The MQTT source against a real Mosquitto: mapped topics (wildcards, plain numbers, JSON paths)
 * reach subscribers as sensor readings; a broker that goes down marks the mapped symbols down and
 * shows in /readyz and /metrics; the source reconnects when the broker is back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedsMessage } from '../../codec/control.ts';
import type { SensorRecord } from '../../codec/decode.ts';
import { TestClient } from '../helpers/client.ts';
import type { RunningGateway } from '../helpers/gateway.ts';
import { Mosquitto } from '../helpers/mosquitto.ts';
import { startIngestGateway } from '../ingest/support.ts';

const TEMP = 110;
const POWER = 111;

const MAP = {
  topics: [
    { topic: 'plant/+/temperature', symbol: 'MQ-TEMP-{1}' },
    { topic: 'meters/main', symbol: 'MQ-POWER', value: '$.reading.kw', time: 'ts', quality: 'q' },
  ],
};

describe('the MQTT source', () => {
  let broker: Mosquitto;
  let gw: RunningGateway;
  let dir: string;
  let pub: MqttClient;
  let sub: TestClient;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    dir = mkdtempSync(join(tmpdir(), 'tw-mqtt-map-'));
    writeFileSync(join(dir, 'map.json'), JSON.stringify(MAP));
    gw = await startIngestGateway({ mqtt: broker.url, mqttMap: join(dir, 'map.json') });
    pub = await connectAsync(broker.url, { reconnectPeriod: 100 });
    sub = await TestClient.connect(`${gw.wsUrl}?feeds=symbols`);
    sub.send({ op: 'subscribe', id: 1, symbols: ['MQ-TEMP-1', 'MQ-POWER', 'TEMP-1'] });
    await sub.message((m) => m.op === 'subscribed');
  }, 30_000);
  afterAll(async () => {
    sub?.close();
    await pub?.endAsync(true);
    await gw?.close();
    await broker?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const readyz = async (): Promise<{ status: number; mqtt: unknown }> => {
    const res = await fetch(`${gw.url}/readyz`);
    return { status: res.status, mqtt: ((await res.json()) as { mqtt: unknown }).mqtt };
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m === null ? Number.NaN : Number(m[1]);
  };
  const down = (): string[] =>
    (sub.messages.filter((m) => m.op === 'feeds').at(-1) as FeedsMessage | undefined)?.down ?? [];
  const readings = (id: number): SensorRecord[] =>
    sub.records().filter((r) => r.symbolId === id) as SensorRecord[];
  /** Publishes until the gateway has it: the source may subscribe a moment after connecting. */
  const publishUntil = async (topic: string, payload: string, seen: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`no reading for ${topic}`);
      await pub.publishAsync(topic, payload);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('publishes mapped readings: a plain number through a wildcard, and JSON paths', async () => {
    await sub.waitFor(() => down().includes('MQ-TEMP-1'), 5000, 'MQ-TEMP-1 down before any reading');
    await publishUntil('plant/1/temperature', '21.476', () => readings(TEMP).length > 0);
    expect(readings(TEMP).at(-1)!.value).toBe(2148);
    const ts = Date.now() - 1000;
    await publishUntil(
      'meters/main',
      JSON.stringify({ reading: { kw: 512.34 }, ts, q: 'uncertain' }),
      () => readings(POWER).length > 0,
    );
    const p = readings(POWER).at(-1)!;
    expect([p.value, p.quality]).toEqual([5123, 1]);
    expect(Math.abs(p.time / 1000 - ts)).toBeLessThan(2);
    await sub.waitFor(() => !down().includes('MQ-TEMP-1') && !down().includes('MQ-POWER'), 5000, 'both up');
    expect(await readyz()).toEqual({ status: 200, mqtt: true });
    expect(await metric('tickwall_mqtt_connected')).toBe(1);
    // Not a number, and a topic mapping to no symbol: dropped and counted.
    const before = readings(TEMP).length;
    await pub.publishAsync('plant/1/temperature', 'warm');
    await pub.publishAsync('plant/9/temperature', '20');
    await new Promise((r) => setTimeout(r, 300));
    expect(readings(TEMP).length).toBe(before);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/^tickwall_mqtt_messages_total\{result="invalid"\} [1-9]/m);
    expect(text).toMatch(/^tickwall_mqtt_messages_total\{result="unmapped"\} [1-9]/m);
  }, 30_000);

  it('marks the mapped symbols down while the broker is down, and reconnects when it is back', async () => {
    await broker.stop();
    await sub.waitFor(() => down().includes('MQ-TEMP-1') && down().includes('MQ-POWER'), 10_000, 'down');
    expect(down()).toEqual(['MQ-POWER', 'MQ-TEMP-1']);
    expect(await readyz()).toEqual({ status: 503, mqtt: false });
    expect(await metric('tickwall_mqtt_connected')).toBe(0);
    await broker.resume();
    const deadline = Date.now() + 20_000;
    while ((await readyz()).status !== 200) {
      if (Date.now() > deadline) throw new Error('the source did not reconnect');
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = readings(TEMP).length;
    await publishUntil('plant/1/temperature', '22.5', () => readings(TEMP).length > before);
    await sub.waitFor(() => !down().includes('MQ-TEMP-1'), 5000, 'MQ-TEMP-1 up again');
    expect(down()).toEqual(['MQ-POWER']);
  }, 60_000);
});
