/**
 * The simulated feed for the baselines: the very code tickwall runs (feeds/index.ts on a
 * MemoryBus), configured by the same feed flags (feeds/options.ts FEED_OPTION_FLAGS), so all
 * three servers publish the same records at the same rates from the same seed.
 */
import type { CatalogueEntry } from '../../../codec/catalogue.ts';
import { createFeeds } from '../../../feeds/index.ts';
import { MemoryBus } from '../../../bus/memory-bus.ts';
import { FEED_OPTION_FLAGS, validateFeedOptions } from '../../../feeds/options.ts';
import { RecordDecoder, type PlainRecord } from './record-object.ts';

export interface BaselineFeed {
  host: string;
  port: number;
  catalogue: CatalogueEntry[];
  /** Calls `fn` with every record of every symbol, decoded into a plain object. */
  onRecord(fn: (record: PlainRecord) => void): void;
  /** Calls `fn` with every record as the bus carries it (no decoding): the floor encodes from these. */
  onBusRecord(fn: (symbolId: number, bytes: Uint8Array, offset: number, length: number) => void): void;
  /** Publishes what is due now, ahead of the feed's own timer (tickwall does this at each batch tick). */
  pump(): void;
  /** Flags this process was given that are not feed flags, e.g. `--batch-ms` for the floor. */
  extra: Record<string, string>;
  stop(): void;
}

interface BaselineArgs {
  host: string;
  port: number;
  /** Flat feed options, dotted keys as FEED_OPTION_FLAGS maps them. */
  feeds: Record<string, unknown>;
  /** Every other flag and its value. */
  extra: Record<string, string>;
}

/**
 * `--host`, `--port` and tickwall's feed flags; tickwall's gateway-only flags (--batch-ms,
 * --log-level, ...) take a value and are ignored, so the bench passes one argument list to all.
 */
function parseBaselineArgs(argv: readonly string[]): BaselineArgs {
  const out: BaselineArgs = { host: '127.0.0.1', port: 8080, feeds: {}, extra: {} };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!.replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`flag --${flag} needs a value`);
    if (flag === 'host') out.host = value;
    else if (flag === 'port') out.port = Number(value);
    const f = FEED_OPTION_FLAGS.find((x) => x.flag === flag);
    if (f === undefined) {
      out.extra[flag] = value;
      continue;
    }
    out.feeds[f.key] =
      f.kind === 'int' || f.kind === 'number'
        ? Number(value)
        : f.kind === 'bool'
          ? value === 'true' || value === '1'
          : f.kind === 'list'
            ? value.split(',')
            : value;
  }
  return out;
}

/** Parses `argv`, starts tickwall's feeds and decodes every record they publish. */
export function startBaselineFeed(argv: readonly string[]): BaselineFeed {
  const args = parseBaselineArgs(argv);
  const bus = new MemoryBus();
  const feeds = createFeeds(validateFeedOptions(args.feeds), bus);
  const decoder = new RecordDecoder(feeds.catalogue);
  let listener: ((record: PlainRecord) => void) | null = null;
  let raw: ((symbolId: number, bytes: Uint8Array, offset: number, length: number) => void) | null = null;
  for (const entry of feeds.catalogue) {
    const id = entry.id;
    bus.subscribe(id, (bytes, offset, length) => {
      if (raw !== null) raw(id, bytes, offset, length);
      if (listener === null) return;
      const record = decoder.decode(bytes, offset, length);
      if (record !== null) listener(record);
    });
  }
  feeds.start();
  return {
    host: args.host,
    port: args.port,
    catalogue: feeds.catalogue,
    onRecord(fn) {
      listener = fn;
    },
    onBusRecord(fn) {
      raw = fn;
    },
    pump: () => feeds.pump(),
    extra: args.extra,
    stop() {
      feeds.stop();
      void bus.close();
    },
  };
}
