import { describe, expect, expectTypeOf, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_OPTIONS } from '../../feeds/options.ts';
import { defaultConfig, helpText, loadConfig, OPTIONS, type GatewayConfig } from '../../server/config.ts';
import { GATEWAY_OPTIONS } from '../../server/options.ts';
import { codeBlock, docText, tableRows } from '../helpers/docs.ts';

describe('configuration', () => {
  it('defaults to the embedded gateway on 8080 with the in-process bus', () => {
    const c = loadConfig();
    expect(c).toMatchObject({ port: 8080, role: 'all', bus: null });
    expect(c.feeds.seed).toBe(1);
  });

  it('takes a list of cluster nodes in cluster mode, from flags or the environment', () => {
    const urls = 'redis://10.0.0.1:7000,redis://10.0.0.2:7000';
    expect(loadConfig({ argv: ['--bus-mode', 'cluster', '--bus', urls] })).toMatchObject({
      bus: urls,
      busMode: 'cluster',
    });
    expect(loadConfig({ env: { TICKWALL_BUS_MODE: 'cluster', TICKWALL_BUS: urls }, argv: [] })).toMatchObject(
      { bus: urls, busMode: 'cluster' },
    );
  });

  it('never repeats a bus password in its error', () => {
    expect(() => loadConfig({ argv: ['--bus', 'redis://u:s3cret@a:1,redis://b:2'] })).toThrow(
      /invalid bus from configuration: "redis:\/\/u:\*\*\*@a:1,redis:\/\/b:2" \(expected one URL unless --bus-mode cluster or sentinel, not 2\)/,
    );
  });

  it('layers file < environment < flags, and honours PORT and HOST', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-config-'));
    const file = join(dir, 'tickwall.json');
    writeFileSync(file, JSON.stringify({ port: 9000, batchMs: 20, feeds: { seed: 7, quoteRate: 3 } }));
    const c = loadConfig({
      argv: ['--config', file, '--batch-ms=15', '--rate', '9'],
      env: { PORT: '9100', HOST: '127.0.0.1', TICKWALL_SEED: '11' },
    });
    expect(c).toMatchObject({ port: 9100, host: '127.0.0.1', batchMs: 15, busPrefix: 'tw' });
    expect(loadConfig({ env: { TICKWALL_BUS_PREFIX: 'desk-2.prod' } }).busPrefix).toBe('desk-2.prod');
    expect(c.feeds).toMatchObject({ seed: 11, quoteRate: 9 });
  });

  it('takes allowed origins in the form browsers send them', () => {
    const c = loadConfig({ argv: ['--origins', 'https://Desk.Example:443/, http://wall.local:8080'] });
    expect(c.origins).toEqual(['https://desk.example', 'http://wall.local:8080']);
    expect(loadConfig({ env: { TICKWALL_TOKENS: '' } }).tokens).toEqual([]);
  });

  const bad: [string, Parameters<typeof loadConfig>[0], RegExp][] = [
    [
      'a token list of separators only (which would turn authentication off)',
      { env: { TICKWALL_TOKENS: ' , ' } },
      /invalid tokens from environment TICKWALL_TOKENS: " , " \(expected at least one item/,
    ],
    ['a token flag of commas', { argv: ['--tokens', ','] }, /invalid tokens from --tokens/],
    [
      'an origin that is not a URL',
      { argv: ['--origins', 'https://ok.example,not a url'] },
      /invalid origins from --origins: "not a url" \(expected origins such as/,
    ],
    ['an origin with a path', { argv: ['--origins', 'https://desk.example/app'] }, /invalid origins/],
    ['an origin of another scheme', { argv: ['--origins', 'file:///tmp'] }, /invalid origins/],
    ['non-numeric port', { argv: ['--port', '80a'] }, /CONFIG_INVALID|invalid port from --port: "80a"/],
    ['port out of range', { env: { PORT: '70000' } }, /invalid port from environment PORT: "70000"/],
    ['unknown role', { argv: ['--role', 'boss'] }, /invalid role .* one of all, gateway, feeds/],
    ['gateway role without redis', { argv: ['--role', 'gateway'] }, /"all" unless a Redis bus is set/],
    ['bus not a redis URL', { argv: ['--bus', 'http://x'] }, /invalid bus/],
    [
      'several bus URLs without cluster mode',
      { argv: ['--bus', 'redis://a:1,redis://b:2'] },
      /invalid bus .*one URL unless --bus-mode cluster or sentinel/,
    ],
    [
      'a bad URL in a cluster list',
      { argv: ['--bus-mode', 'cluster', '--bus', 'redis://a:1,http://b'] },
      /invalid bus/,
    ],
    ['cluster mode without a bus', { argv: ['--bus-mode', 'cluster'] }, /invalid busMode/],
    ['sentinel mode without a bus', { argv: ['--bus-mode', 'sentinel'] }, /invalid busMode/],
    [
      'unknown bus mode',
      { argv: ['--bus-mode', 'ring'] },
      /invalid busMode .* one of server, cluster, sentinel/,
    ],
    [
      'a bus prefix that would break Redis names',
      { argv: ['--bus-prefix', 'a{b}'] },
      /invalid busPrefix from --bus-prefix: "a\{b\}" \(expected 1 to 64 letters/,
    ],
    ['an empty bus prefix', { argv: ['--bus-prefix', ''] }, /invalid busPrefix/],
    ['history above depth', { argv: ['--history-depth', '10'] }, /invalid maxHistory/],
    [
      'a trade backlog below 16 (docs/configuration.md)',
      { argv: ['--trade-backlog', '15'] },
      /invalid tradeBacklog/,
    ],
    ['a negative max lag', { argv: ['--max-lag-ms', '-1'] }, /invalid maxLagMs/],
    ['half a TLS pair', { argv: ['--tls-cert', 'a.pem'] }, /invalid tlsKey/],
    ['unknown flag', { argv: ['--colour', 'red'] }, /unknown flag --colour/],
    ['flag without value', { argv: ['--port'] }, /flag --port needs a value/],
    ['bad feed value', { argv: ['--rate', '-1'] }, /quoteRate = -1/],
    ['bad log level', { env: { TICKWALL_LOG_LEVEL: 'loud' } }, /invalid logLevel/],
    ['unreadable config file', { argv: ['--config', '/nonexistent/tw.json'] }, /cannot read config file/],
  ];
  for (const [name, sources, message] of bad) {
    it(`rejects ${name} with a message naming it`, () => {
      let err: unknown;
      try {
        loadConfig(sources);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as { code: string }).code).toMatch(/^CONFIG_/);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('documents every option in --help', () => {
    const text = helpText();
    for (const o of OPTIONS) expect(text).toContain(`--${o.flag}`);
    expect(Object.keys(defaultConfig())).toEqual(expect.arrayContaining(OPTIONS.map((o) => o.key)));
  });

  it('prints every flag with its environment variable, help and default in --help', () => {
    const lines = helpText().split('\n');
    for (const table of [GATEWAY_OPTIONS, FEED_OPTIONS]) {
      for (const [flag, env, help] of table.helpRows()) {
        const line = lines.find((l) => l.trimStart().startsWith(`${flag} `));
        expect(line, flag).toBeDefined();
        expect(line).toContain(env);
        expect(line).toContain(help);
      }
    }
    expect(helpText()).toContain('--feed-max-rate');
    expect(helpText()).toMatch(/--port +PORT +TCP port \(0 = any free port\) \(default 8080\)/);
  });

  it('gives no flag or environment variable to two options across the gateway and feed tables', () => {
    for (const by of ['flag', 'env'] as const) {
      const names = [...GATEWAY_OPTIONS.names(by), ...FEED_OPTIONS.names(by)];
      expect(new Set(names).size, by).toBe(names.length);
    }
  });

  it('has defaults that pass their own schemas', () => {
    for (const table of [GATEWAY_OPTIONS, FEED_OPTIONS]) {
      for (const row of table.rows) {
        if (!('default' in row)) continue;
        expect(table.check(row, row.default), row.key).toMatchObject({ ok: true });
      }
    }
  });

  it('derives the config type from the table', () => {
    expectTypeOf<GatewayConfig['port']>().toEqualTypeOf<number>();
    expectTypeOf<GatewayConfig['role']>().toEqualTypeOf<'all' | 'gateway' | 'feeds'>();
    expectTypeOf<GatewayConfig['bus']>().toEqualTypeOf<string | null>();
    expectTypeOf<GatewayConfig['origins']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<GatewayConfig['feeds']['replay']>().toEqualTypeOf<
      { readonly file: string; readonly speed: number; readonly loop: boolean } | undefined
    >();
    expectTypeOf<GatewayConfig['feeds']['symbols']>().toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf<GatewayConfig['feeds']['runner']['intervalMs']>().toEqualTypeOf<number>();
  });

  it('returns a deeply frozen configuration', () => {
    const c = loadConfig({ argv: ['--origins', 'https://a.example', '--replay', 'x.ndjson'] });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.origins)).toBe(true);
    expect(Object.isFrozen(c.feeds.price)).toBe(true);
    expect(Object.isFrozen(c.feeds.replay)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => (c.origins as string[]).push('https://b.example')).toThrow(TypeError);
    // Each load is its own: defaults are not shared, frozen, between loads.
    expect(Object.isFrozen(defaultConfig().origins)).toBe(false);
  });

  it('refuses --no-feeds like any unknown flag', () => {
    expect(() => loadConfig({ argv: ['--no-feeds'] })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_UNKNOWN_FLAG',
        message: 'unknown flag --no-feeds (see --help)',
      }),
    );
    expect(() => loadConfig({ argv: ['--no-feeds=true'] })).toThrow(/unknown flag --no-feeds/);
  });

  it('reads the total feed cap from --feed-max-rate and TICKWALL_FEED_MAX_RATE without a warning', () => {
    const warnings: string[] = [];
    const warn = (m: string): void => void warnings.push(m);
    expect(loadConfig({ argv: ['--feed-max-rate', '500'], warn }).feeds.maxTotalRate).toBe(500);
    expect(loadConfig({ env: { TICKWALL_FEED_MAX_RATE: '600' }, warn }).feeds.maxTotalRate).toBe(600);
    expect(warnings).toEqual([]);
  });

  it('still reads the old --max-rate and TICKWALL_MAX_RATE for one release, with a deprecation warning', () => {
    const warnings: string[] = [];
    const warn = (m: string): void => void warnings.push(m);
    expect(loadConfig({ argv: ['--max-rate', '500'], warn }).feeds.maxTotalRate).toBe(500);
    expect(warnings).toEqual([
      '--max-rate is deprecated and will be removed in the next release: use --feed-max-rate (maxTotalRate)',
    ]);
    warnings.length = 0;
    expect(loadConfig({ env: { TICKWALL_MAX_RATE: '700' }, warn }).feeds.maxTotalRate).toBe(700);
    expect(warnings).toEqual([
      'TICKWALL_MAX_RATE is deprecated and will be removed in the next release: use TICKWALL_FEED_MAX_RATE (maxTotalRate)',
    ]);
    // The old name is validated like the new one, and the new one wins as a later source would.
    expect(() => loadConfig({ argv: ['--max-rate', '0'], warn })).toThrow(
      /maxTotalRate = 0.*from --max-rate/,
    );
    expect(
      loadConfig({ env: { TICKWALL_MAX_RATE: '700' }, argv: ['--feed-max-rate', '800'], warn }).feeds
        .maxTotalRate,
    ).toBe(800);
  });

  it('validates every source of a feed option, even one a later source overrides', () => {
    expect(() => loadConfig({ env: { TICKWALL_RATE: 'fast' }, argv: ['--rate', '2'] })).toThrow(
      /quoteRate = "fast": must be a number from 0 to 100000 \(from environment TICKWALL_RATE\)/,
    );
  });

  it('requires the replay file when a config file names the replay section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-config-'));
    const file = join(dir, 'tickwall.json');
    writeFileSync(file, JSON.stringify({ feeds: { replay: { speed: 2 } } }));
    expect(() => loadConfig({ argv: ['--config', file] })).toThrow(/replay\.file = undefined: is required/);
    writeFileSync(file, JSON.stringify({ feeds: { replay: { speed: 2 } } }));
    expect(loadConfig({ argv: ['--config', file, '--replay', 'r.ndjson'] }).feeds.replay).toEqual({
      file: 'r.ndjson',
      speed: 2,
      loop: false,
    });
  });
});

describe('docs/configuration.md', () => {
  it('has an example config file that loads as written', async () => {
    const doc = docText('configuration.md');
    const example = codeBlock(doc, '## Example config file', 'json');
    expect(doc.indexOf('## Example config file')).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'tw-config-doc-'));
    const file = join(dir, 'tickwall.json');
    writeFileSync(file, example);
    const c = loadConfig({ argv: ['--config', file] });
    const written = JSON.parse(example) as Record<string, unknown> & { feeds: Record<string, unknown> };
    const { feeds, ...gateway } = written;
    expect(c).toMatchObject(gateway);
    expect(c.feeds).toMatchObject(feeds);
  });

  it('documents every flag and environment variable', async () => {
    const { FEED_FLAGS } = await import('../../server/config.ts');
    const doc = docText('configuration.md');
    for (const o of [...OPTIONS, ...FEED_FLAGS]) {
      expect(doc).toContain(`\`--${o.flag}\``);
      expect(doc).toContain(`\`${o.env}\``);
    }
  });

  it('has the gateway table exactly as the rows give it: key, flag, environment, default, meaning', () => {
    expect(tableRows(docText('configuration.md'), '## Gateway')).toEqual(GATEWAY_OPTIONS.docRows());
  });

  it('has the feeds table exactly as the rows with a flag give it', () => {
    expect(tableRows(docText('configuration.md'), '## Feeds')).toEqual(FEED_OPTIONS.docRows());
  });

  it('lists every deprecated name, and only those', () => {
    const rows = tableRows(docText('configuration.md'), '### Deprecated names');
    expect(rows).toEqual([...GATEWAY_OPTIONS.formerNames(), ...FEED_OPTIONS.formerNames()]);
    expect(rows.length).toBeGreaterThan(0);
  });
});
