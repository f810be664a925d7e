/** The Redis bus's URL list: how it is parsed, and how it appears in logs (without node-redis, for the CLI too). */
import type { RedisBusMode } from './redis-bus.ts';
import { RedisBusError, RedisBusErrorCode } from './errors.ts';

/** The bus URL(s) as logged: a password is masked, as it would otherwise land in every log. */
export function redactUrls(spec: string): string {
  return spec
    .split(',')
    .map((u) => u.replace(/^(\w+:\/\/[^:@/]*):[^@/]*@/, '$1:***@'))
    .join(',');
}

/** The bus URL(s): exactly one for a server, one or more (comma-separated) for a cluster or sentinels. */
export function parseUrls(spec: string, mode: RedisBusMode): string[] {
  const urls = spec.split(',').map((u) => u.trim());
  if (mode === 'server' && urls.length > 1) {
    throw new RedisBusError(
      RedisBusErrorCode.BAD_URL,
      `one URL unless --bus-mode cluster or sentinel, not ${urls.length}`,
    );
  }
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch (err) {
      throw new RedisBusError(RedisBusErrorCode.BAD_URL, `redis:// URLs; not a URL: ${redactUrls(u)}`, {
        cause: err,
      });
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new RedisBusError(RedisBusErrorCode.BAD_URL, `redis:// or rediss:// URLs, not ${redactUrls(u)}`);
    }
  }
  return urls;
}
