import { MqttMapError } from '../../feeds/mqtt/mapping.ts';
import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  CloseCode,
  CloseReason,
  ERROR_CODES,
  ErrorCode,
  HttpErrorCode,
  StartupCode,
  type AnyErrorCode,
  type ErrorCodeInfo,
} from '../../codec/error-codes.ts';
import { RedisBusError } from '../../bus/redis/errors.ts';
import { CatalogueError, ReplayError } from '../../feeds/errors.ts';
import { ConfigError, StartupError } from '../../lib/startup-error.ts';
import { ListenError } from '../../server/listen-error.ts';
import { docText, tableRows } from '../helpers/docs.ts';

const rows = Object.entries(ERROR_CODES) as [AnyErrorCode, ErrorCodeInfo][];
const codesIn = (cell: string): string[] => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();

describe('the table of error codes', () => {
  it('keys every row by its code and gives each a meaning', () => {
    for (const [code, row] of rows) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(row.meaning.length).toBeGreaterThan(10);
    }
  });

  it('derives the constants of each kind from the rows', () => {
    const ofKind = (kind: string): string[] => rows.filter(([, r]) => r.kind === kind).map(([c]) => c);
    expect(sorted(Object.values(ErrorCode))).toEqual(sorted(ofKind('control')));
    expect(sorted(Object.values(HttpErrorCode))).toEqual(sorted(ofKind('http')));
    expect(sorted(Object.values(CloseReason))).toEqual(sorted(ofKind('close')));
    expect(sorted(Object.values(StartupCode))).toEqual(sorted(ofKind('startup')));
    for (const [name, row] of Object.entries(CLOSE_CODES)) {
      expect(CloseCode[name as keyof typeof CloseCode]).toBe(row.code);
    }
  });

  it('gives an HTTP status to exactly the HTTP codes (and the control code also sent over HTTP)', () => {
    for (const [code, row] of rows) {
      if (row.kind === 'http') expect(row.http, code).toBeGreaterThanOrEqual(400);
      else if (row.http !== undefined) expect(row.kind, code).toBe('control');
    }
  });

  it('gives every close reason a close code of the close table', () => {
    const closeCodes = new Set<number>(Object.values(CloseCode));
    for (const [code, row] of rows) {
      if (row.kind === 'close') expect(row.close, code).toBeDefined();
      if (row.close !== undefined) expect(closeCodes.has(row.close), code).toBe(true);
    }
  });

  it('gives every start-up code an exit status, and no other code one', () => {
    for (const [code, row] of rows) expect(row.exit !== undefined, code).toBe(row.kind === 'startup');
  });
});

describe('the exit status of a start-up error comes from its class', () => {
  const instances: Record<keyof typeof StartupCode, StartupError> = {
    CONFIG_INVALID: new ConfigError([{ key: 'port', value: 'x', problem: 'bad' }]),
    CONFIG_UNKNOWN_FLAG: new ConfigError([], { code: StartupCode.CONFIG_UNKNOWN_FLAG, message: 'm' }),
    CONFIG_UNREADABLE_FILE: new ConfigError([], { code: StartupCode.CONFIG_UNREADABLE_FILE, message: 'm' }),
    CATALOGUE_UNREADABLE: new CatalogueError(StartupCode.CATALOGUE_UNREADABLE, 'c.json', ['gone']),
    CATALOGUE_INVALID: new CatalogueError(StartupCode.CATALOGUE_INVALID, 'c.json', ['bad']),
    REPLAY_UNREADABLE: new ReplayError(StartupCode.REPLAY_UNREADABLE, 'r.ndjson', 0, 'gone'),
    REPLAY_INVALID: new ReplayError(StartupCode.REPLAY_INVALID, 'r.ndjson', 3, 'bad'),
    REDIS_BUS_BAD_URL: new RedisBusError('REDIS_BUS_BAD_URL', 'm'),
    REDIS_BUS_MODE: new RedisBusError('REDIS_BUS_MODE', 'm'),
    REDIS_BUS_CONNECT_TIMEOUT: new RedisBusError('REDIS_BUS_CONNECT_TIMEOUT', 'm'),
    MQTT_MAP_INVALID: new MqttMapError('map.json', ['bad']),
    LISTEN_FAILED: new ListenError('127.0.0.1', 80, Object.assign(new Error('x'), { code: 'EACCES' })),
  };

  it.each(Object.entries(instances))('%s: the status of the table row', (code, err) => {
    expect(err).toBeInstanceOf(StartupError);
    expect(err.code).toBe(code);
    expect(err.exitStatus).toBe(ERROR_CODES[code as keyof typeof StartupCode].exit);
  });
});

describe('docs/protocol.md has the codes of the table, and only those', () => {
  const doc = docText('protocol.md');

  it('lists every control code in the error code table (4.4), and no other', () => {
    const documented = tableRows(doc, '### 4.4 Error codes').map((r) => codesIn(r[0]!)[0]);
    expect(sorted(documented)).toEqual(sorted(Object.values(ErrorCode)));
  });

  it('lists every HTTP refusal with its status (2.1), and no other', () => {
    const documented = tableRows(doc, '| Condition').map((r) => [codesIn(r[2]!)[0], Number(r[1])]);
    const table = rows.filter(([, r]) => r.http !== undefined).map(([c, r]) => [c, r.http]);
    expect(sorted(documented.map(String))).toEqual(sorted(table.map(String)));
  });

  it('lists every close code by number and name (2.3), and no other', () => {
    const documented = tableRows(doc, '### 2.3 Closing').map((r) => `${r[0]} ${codesIn(r[1]!)[0]}`);
    const table = Object.entries(CLOSE_CODES).map(([name, r]) => `${r.code} ${name}`);
    expect(sorted(documented)).toEqual(sorted(table));
  });

  it('names every close reason in the row of its close code, and no other reason', () => {
    const documented = tableRows(doc, '### 2.3 Closing').flatMap((r) =>
      [...r[2]!.matchAll(/Reason `([A-Z_]+)`/g)].map((m) => `${r[0]} ${m[1]}`),
    );
    const table = rows.filter(([, r]) => r.close !== undefined).map(([c, r]) => `${r.close} ${c}`);
    expect(sorted(documented)).toEqual(sorted(table));
  });
});

describe('docs/configuration.md has the start-up codes of the table, and only those', () => {
  it('lists every start-up code with its exit status', () => {
    const documented = tableRows(docText('configuration.md'), '| code').flatMap((r) =>
      codesIn(r[0]!).map((code) => `${code} ${r[1]}`),
    );
    const table = rows.filter(([, r]) => r.kind === 'startup').map(([c, r]) => `${c} ${r.exit}`);
    expect(sorted(documented)).toEqual(sorted(table));
  });
});

describe('the other docs list codes of the table', () => {
  const listed = (doc: string, marker: string): string[] =>
    tableRows(docText(doc), marker).flatMap((r) => codesIn(r[0]!));

  it('docs/feeds.md lists exactly the codes the feeds raise', async () => {
    const { FeedErrorCode } = await import('../../feeds/errors.ts');
    expect(sorted(listed('feeds.md', '## Error codes'))).toEqual(sorted(Object.values(FeedErrorCode)));
  });

  it('docs/scaling.md lists exactly the codes the Redis bus raises', async () => {
    const { RedisBusErrorCode } = await import('../../bus/redis/errors.ts');
    expect(sorted(listed('scaling.md', '### Error codes'))).toEqual(sorted(Object.values(RedisBusErrorCode)));
    const ofTable = rows.filter(([c]) => c.startsWith('REDIS_BUS_')).map(([c]) => c);
    expect(sorted(Object.values(RedisBusErrorCode))).toEqual(sorted(ofTable));
  });
});
