/**
 * The MQTT mapping file (docs/ingest.md, "MQTT"): which topics feed which symbols, and where in a
 * payload the reading, its time and its quality are.
 *
 *   {"topics": [
 *     {"topic": "plant/+/temperature", "symbol": "TEMP-{1}"},
 *     {"topic": "meters/main", "symbol": "POWER-1", "value": "reading.kw", "time": "ts", "quality": "q"}
 *   ]}
 *
 * `topic` may hold MQTT wildcards (`+` one level, `#` the rest); `{n}` in `symbol` is the n-th
 * wildcard's match. Without `value` the payload is the number itself. Every mapped symbol must be
 * a sensor of the catalogue with `"source": "mqtt"`.
 */
import { readFileSync } from 'node:fs';
import { SettingError } from '../../lib/startup-error.ts';
import { isSensor, type FeedSpec } from '../catalogue.ts';
import { Fields, isRecord, issueText } from '../fields.ts';
import type { FieldIssue } from '../errors.ts';

/** A bad mapping file: MQTT_MAP_INVALID, a setting to fix (exit status 2). */
export class MqttMapError extends SettingError {
  constructor(path: string, problems: readonly string[]) {
    super('MQTT_MAP_INVALID', `MQTT mapping ${path}: ${problems.join('; ')}`);
    this.name = 'MqttMapError';
  }
}

export interface TopicMapping {
  topic: string;
  /** Symbol, with `{n}` standing for the n-th wildcard's match. */
  symbol: string;
  /** Dotted paths into a JSON payload; undefined: the payload is the value, time is arrival. */
  value?: string[];
  time?: string[];
  quality?: string[];
}

const TOPIC = /^[^#+]*(\+[^#+]*)*(#)?$/;

/** Reads and checks a mapping file against the catalogue. Throws MqttMapError. */
export function loadMqttMap(path: string, specs: readonly FeedSpec[]): TopicMapping[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MqttMapError(path, [
      `cannot read it as JSON: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
  return parseMqttMap(data, specs, path);
}

/** Checks parsed mapping data; `source` names it in errors. Throws MqttMapError. */
export function parseMqttMap(data: unknown, specs: readonly FeedSpec[], source = 'mapping'): TopicMapping[] {
  if (!isRecord(data) || !Array.isArray(data.topics) || data.topics.length === 0) {
    throw new MqttMapError(source, ['must be {"topics": [...]} with at least one entry']);
  }
  const bySymbol = new Map(specs.map((s) => [s.symbol, s]));
  const problems: string[] = [];
  const out: TopicMapping[] = [];
  data.topics.forEach((raw: unknown, i) => {
    if (!isRecord(raw)) {
      problems.push(`topics[${i}]: must be an object`);
      return;
    }
    const issues: FieldIssue[] = [];
    const f = new Fields(raw, issues, `topics[${i}]`);
    f.onlyKeys(['topic', 'symbol', 'value', 'time', 'quality']);
    const topic = f.string('topic', { maxLength: 256 });
    const symbol = f.string('symbol', { maxLength: 64 });
    const path = (key: string): string[] | undefined => {
      if (raw[key] === undefined) return undefined;
      const p = f.string(key, {
        pattern: /^(\$\.)?[^.]+(\.[^.]+)*$/,
        patternText: 'a dotted path such as "reading.kw"',
      });
      return p === undefined ? undefined : p.replace(/^\$\./, '').split('.');
    };
    const m: TopicMapping = { topic: topic ?? '', symbol: symbol ?? '' };
    const value = path('value');
    const time = path('time');
    const quality = path('quality');
    if (value !== undefined) m.value = value;
    if (time !== undefined) m.time = time;
    if (quality !== undefined) m.quality = quality;
    if (topic !== undefined && !TOPIC.test(topic))
      f.fail('topic', topic, '"+" and "#" stand alone between "/" and "#" only last');
    if (topic !== undefined && symbol !== undefined) {
      const wildcards = topic.split('/').filter((l) => l === '+' || l === '#').length;
      for (const ref of symbol.matchAll(/\{(\d+)\}/g)) {
        if (Number(ref[1]) < 1 || Number(ref[1]) > wildcards)
          f.fail('symbol', symbol, `{${ref[1]}} names no wildcard of the topic`);
      }
      if (!symbol.includes('{')) {
        const spec = bySymbol.get(symbol);
        if (spec === undefined) f.fail('symbol', symbol, 'is not in the catalogue');
        else if (!isSensor(spec) || spec.source !== 'mqtt')
          f.fail('symbol', symbol, 'must be a sensor with "source": "mqtt" in the catalogue');
      }
    }
    for (const issue of issues) problems.push(issueText(issue));
    if (issues.length === 0) out.push(m);
  });
  if (problems.length > 0) throw new MqttMapError(source, problems);
  return out;
}

/** The wildcard matches of `topic` against `filter` (MQTT rules), or null when it does not match. */
export function matchTopic(filter: string, topic: string): string[] | null {
  const f = filter.split('/');
  const t = topic.split('/');
  const out: string[] = [];
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') {
      out.push(t.slice(i).join('/'));
      return out;
    }
    if (i >= t.length) return null;
    if (f[i] === '+') out.push(t[i]!);
    else if (f[i] !== t[i]) return null;
  }
  return f.length === t.length ? out : null;
}

/** The value at a dotted path of a JSON value, or undefined. */
export function atPath(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (!isRecord(v)) return undefined;
    v = v[key];
  }
  return v;
}
