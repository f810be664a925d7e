/**
 * The recorded-file format: NDJSON, one record per line, decimal strings for every price, size
 * and value so nothing is lost to floating point. docs/feeds.md ("Recorded files") is the spec.
 *
 *   {"time":"2024-05-01T14:30:00.000000Z","symbol":"AAPL","kind":"quote","bid":"189.49","ask":"189.50","bidSize":"300","askSize":"200"}
 *   {"time":"2024-05-01T14:30:00.250000Z","symbol":"AAPL","kind":"trade","price":"189.50","size":"100","side":"buy"}
 *   {"time":"2024-05-01T14:30:01.000000Z","symbol":"TEMP-1","kind":"sensor","value":"21.47","quality":"good"}
 */
import { MAX_U32, QUOTE_SIZE, RecordType, SENSOR_SIZE, Side, TRADE_SIZE } from '../../codec/constants.ts';
import { formatMantissa, parseDecimal } from '../../codec/decimal.ts';
import { readI64 } from '../../codec/int64.ts';
import { isSensor, type FeedSpec } from '../catalogue.ts';
import { describeValue } from '../errors.ts';
import { isRecord } from '../fields.ts';
import { formatTimeUs, parseTimeUs } from '../time-text.ts';

export type RecordKind = 'quote' | 'trade' | 'sensor';

export const SIDE_NAMES = ['', 'buy', 'sell'] as const;
export const QUALITY_NAMES = ['good', 'uncertain', 'bad', 'offline'] as const;

/** One record with integer mantissas: what a line holds once parsed against the catalogue. */
export interface ParsedLine {
  timeUs: number;
  spec: FeedSpec;
  kind: RecordKind;
  /** bid, price or value mantissa. */
  a: number;
  /** ask mantissa (quotes). */
  b: number;
  /** bidSize or size mantissa. */
  c: number;
  /** askSize mantissa (quotes). */
  d: number;
  /** Side (trades) or Quality (sensors). */
  e: number;
}

const KEYS: Record<RecordKind, readonly string[]> = {
  quote: ['time', 'symbol', 'kind', 'bid', 'ask', 'bidSize', 'askSize'],
  trade: ['time', 'symbol', 'kind', 'price', 'size', 'side'],
  sensor: ['time', 'symbol', 'kind', 'value', 'quality'],
};

/**
 * Formats one encoded record (as a bus delivers it) as a line, without the newline; null for
 * record types the format does not carry (notices).
 */
export function formatRecordLine(spec: FeedSpec, bytes: Uint8Array, offset: number): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const type = view.getUint8(0) >> 4;
  const time = formatTimeUs(readI64(view, 8));
  const head = `{"time":"${time}","symbol":${JSON.stringify(spec.symbol)}`;
  const dec = spec.decimals;
  const sdec = isSensor(spec) ? 0 : spec.sizeDecimals;
  if (type === RecordType.QUOTE && view.byteLength >= QUOTE_SIZE) {
    const bid = formatMantissa(readI64(view, 16), dec);
    const ask = formatMantissa(readI64(view, 24), dec);
    const bidSize = formatMantissa(view.getUint32(32, true), sdec);
    const askSize = formatMantissa(view.getUint32(36, true), sdec);
    return `${head},"kind":"quote","bid":"${bid}","ask":"${ask}","bidSize":"${bidSize}","askSize":"${askSize}"}`;
  }
  if (type === RecordType.TRADE && view.byteLength >= TRADE_SIZE) {
    const price = formatMantissa(readI64(view, 16), dec);
    const size = formatMantissa(view.getUint32(24, true), sdec);
    const side = SIDE_NAMES[view.getUint8(28)] ?? '';
    return `${head},"kind":"trade","price":"${price}","size":"${size}","side":"${side}"}`;
  }
  if (type === RecordType.SENSOR && view.byteLength >= SENSOR_SIZE) {
    const value = formatMantissa(readI64(view, 16), dec);
    const quality = QUALITY_NAMES[view.getUint8(24)] ?? 'bad';
    return `${head},"kind":"sensor","value":"${value}","quality":"${quality}"}`;
  }
  return null;
}

/**
 * Why a line was refused, for callers that answer with a code (the publish API maps each to a
 * documented code of codec/control.ts PublishCode).
 */
export type LineReason =
  | 'BAD_JSON'
  | 'BAD_RECORD'
  | 'UNKNOWN_SYMBOL'
  | 'BAD_TIME'
  | 'OFF_DECIMALS'
  | 'BAD_SIZE'
  | 'CROSSED_QUOTE'
  | 'BAD_QUALITY';

/** Thrown by parseRecordLine; the caller adds file and line number. */
export class LineError extends Error {
  constructor(
    message: string,
    readonly reason: LineReason = 'BAD_RECORD',
  ) {
    super(message);
  }
}

/** Parses and validates one line against the catalogue. Throws LineError naming the field. */
export function parseRecordLine(line: string, specs: ReadonlyMap<string, FeedSpec>): ParsedLine {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw new LineError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, 'BAD_JSON');
  }
  if (!isRecord(obj)) throw new LineError('must be a JSON object');
  const symbol = obj.symbol;
  if (typeof symbol !== 'string')
    throw new LineError(`"symbol" must be a string, got ${describeValue(symbol)}`);
  const spec = specs.get(symbol);
  if (spec === undefined)
    throw new LineError(`symbol ${JSON.stringify(symbol)} is not in the catalogue`, 'UNKNOWN_SYMBOL');
  const kind = obj.kind;
  if (kind !== 'quote' && kind !== 'trade' && kind !== 'sensor') {
    throw new LineError(`"kind" must be "quote", "trade" or "sensor", got ${describeValue(kind)}`);
  }
  if ((kind === 'sensor') !== isSensor(spec)) {
    throw new LineError(
      `${symbol} is ${isSensor(spec) ? 'a sensor' : `an instrument (${spec.kind})`}, it cannot have ${kind} records`,
    );
  }
  for (const key of Object.keys(obj)) {
    if (!KEYS[kind].includes(key))
      throw new LineError(`unknown field "${key}" for a ${kind} (expected ${KEYS[kind].join(', ')})`);
  }
  const timeUs = parseTimeUs(obj.time);
  if (timeUs === null) {
    throw new LineError(
      `"time" must be ISO 8601 with a zone (e.g. "2024-05-01T14:30:00.123456Z") or integer microseconds, got ${describeValue(obj.time)}`,
      'BAD_TIME',
    );
  }
  const price = (key: string): number => {
    const v = obj[key];
    const m = typeof v === 'string' ? parseDecimal(v, spec.decimals) : null;
    if (m === null) {
      throw new LineError(
        `"${key}" must be a decimal string with at most ${spec.decimals} decimals for ${symbol}, got ${describeValue(v)}`,
        typeof v === 'string' ? 'OFF_DECIMALS' : 'BAD_RECORD',
      );
    }
    return m;
  };
  const size = (key: string, sdec: number): number => {
    const v = obj[key];
    const m = typeof v === 'string' ? parseDecimal(v, sdec) : null;
    if (m === null || m < 0 || m > MAX_U32) {
      throw new LineError(
        `"${key}" must be a non-negative decimal string with at most ${sdec} decimals for ${symbol} (and fit 32 bits), got ${describeValue(v)}`,
        typeof v === 'string' ? 'BAD_SIZE' : 'BAD_RECORD',
      );
    }
    return m;
  };
  const out: ParsedLine = { timeUs, spec, kind, a: 0, b: 0, c: 0, d: 0, e: 0 };
  if (isSensor(spec)) {
    out.a = price('value');
    const q = QUALITY_NAMES.indexOf(obj.quality as (typeof QUALITY_NAMES)[number]);
    if (q < 0)
      throw new LineError(
        `"quality" must be one of ${QUALITY_NAMES.join(', ')}, got ${describeValue(obj.quality)}`,
        'BAD_QUALITY',
      );
    out.e = q;
    return out;
  }
  if (kind === 'quote') {
    out.a = price('bid');
    out.b = price('ask');
    if (out.a > out.b)
      throw new LineError(`bid ${String(obj.bid)} is above ask ${String(obj.ask)}`, 'CROSSED_QUOTE');
    out.c = size('bidSize', spec.sizeDecimals);
    out.d = size('askSize', spec.sizeDecimals);
    return out;
  }
  out.a = price('price');
  out.c = size('size', spec.sizeDecimals);
  const side = obj.side === 'buy' ? Side.BUY : obj.side === 'sell' ? Side.SELL : 0;
  if (side === 0) throw new LineError(`"side" must be "buy" or "sell", got ${describeValue(obj.side)}`);
  out.e = side;
  return out;
}
