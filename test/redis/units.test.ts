/** The Redis bus's pure helpers: version detection, backoff, names, staging bounds. */
import { docText } from '../helpers/docs.ts';
import { describe, expect, it } from 'vitest';
import { backoffStrategy } from '../../bus/redis/backoff.ts';
import { PublishBatch } from '../../bus/redis/batch.ts';
import { seedOptions } from '../../bus/redis/connection.ts';
import { RedisBusErrorCode } from '../../bus/redis/errors.ts';
import { historyKey, symbolChannel } from '../../bus/redis/keys.ts';
import { redactUrls } from '../../bus/redis/url.ts';
import { parseRedisVersion, supportsShardedPubSub } from '../../bus/redis/version.ts';
import { trade } from './records.ts';

describe('redis bus helpers', () => {
  it('reads redis_version from INFO server and enables sharded pub/sub from 7.0', () => {
    const info = '# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n';
    expect(parseRedisVersion(info)).toEqual([7, 0, 15]);
    expect(supportsShardedPubSub(parseRedisVersion(info))).toBe(true);
    expect(supportsShardedPubSub(parseRedisVersion('redis_version:6.2.14\r\n'))).toBe(false);
    expect(supportsShardedPubSub(parseRedisVersion('nothing here'))).toBe(false);
  });

  it('documents every error code in docs/scaling.md', () => {
    const doc = docText('scaling.md');
    for (const code of Object.values(RedisBusErrorCode)) expect(doc).toContain(`| \`${code}\``);
  });

  it('takes credentials and TLS for discovered nodes from the first seed URL', () => {
    expect(seedOptions('rediss://bus%40desk:p%3Ass@r1:7000')).toEqual({
      auth: { username: 'bus@desk', password: 'p:ss' },
      tls: { tls: true },
    });
    expect(seedOptions('redis://r1:7000')).toEqual({ auth: {}, tls: {} });
    expect(seedOptions('redis://:secret@r1:7000')).toEqual({ auth: { password: 'secret' }, tls: {} });
  });

  it('masks passwords in the bus URLs it logs', () => {
    expect(redactUrls('redis://bus:s3cret@r1:7000,rediss://:p%40ss@r2:7000,redis://r3:7000')).toBe(
      'redis://bus:***@r1:7000,rediss://:***@r2:7000,redis://r3:7000',
    );
  });

  it('backs off exponentially with jitter, capped', () => {
    const next = backoffStrategy({ initialMs: 50, maxMs: 2000 });
    for (let i = 0; i < 100; i++) {
      expect(next(0)).toBeGreaterThanOrEqual(40);
      expect(next(0)).toBeLessThanOrEqual(60);
      expect(next(3)).toBeGreaterThanOrEqual(320);
      expect(next(3)).toBeLessThanOrEqual(480);
      expect(next(1000)).toBeLessThanOrEqual(2400);
      expect(next(1000)).toBeGreaterThanOrEqual(1600);
    }
  });

  it('hash-tags every name of a symbol with the same slot tag', () => {
    expect(symbolChannel('tw', 42)).toBe('tw:{sym:42}');
    expect(historyKey('tw', 42)).toBe('tw:{sym:42}:hist');
  });

  it('stages copies grouped per symbol and refuses past its bound', () => {
    const batch = new PublishBatch(3);
    const r = trade(1, 1);
    expect(batch.add(1, r, 0, r.length)).toBe(true);
    r.fill(0);
    expect(batch.add(2, trade(2, 1), 0, 32)).toBe(true);
    expect(batch.add(1, trade(1, 2), 0, 32)).toBe(true);
    expect(batch.add(1, trade(1, 3), 0, 32)).toBe(false);
    const taken = batch.take();
    expect(batch.size).toBe(0);
    expect([...taken.keys()]).toEqual([1, 2]);
    expect(taken.get(1)!.map((b) => new Uint8Array(b))).toEqual([trade(1, 1), trade(1, 2)]);
  });
});
