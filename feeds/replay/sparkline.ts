/**
 * Tiny text charts of a feed: one line per symbol, the last mid (quotes) or value (sensors) in
 * each time bucket drawn with block characters. Used by record-cli to show what a recording
 * looks like, and for the samples in docs/feeds.md.
 */
import { RecordType } from '../../codec/constants.ts';
import { formatMantissa } from '../../codec/decimal.ts';
import { readI64 } from '../../codec/int64.ts';
import { recordSymbolId, recordType } from '../../codec/records.ts';
import type { Bus, RecordListener } from '../../bus/bus.ts';
import { isSensor, type FeedSpec } from '../catalogue.ts';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** Draws values as block characters scaled between their min and max; NaN draws as a space (no data). */
export function sparkline(values: readonly number[]): string {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return values
    .map((v) => {
      if (Number.isNaN(v)) return ' ';
      const k = hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1));
      return BLOCKS[k];
    })
    .join('');
}

/** Marks for sensor buckets whose last reading is not GOOD, by Quality. */
const QUALITY_MARKS = ['', '^', '×', '·'];

/**
 * Collects one value per time bucket per symbol from a bus (the bucket's last mid or reading),
 * then renders the charts. Sensor buckets whose last reading is not GOOD show a mark instead of
 * a block (^ spike, × fault, · offline) and stay out of the scale, so a railed fault does not
 * flatten the daily cycle; an empty bucket (a dropout) is blank.
 */
export class SparklineCollector {
  private readonly values = new Map<number, Float64Array>();
  private readonly marks = new Map<number, Uint8Array>();
  private readonly specs = new Map<number, FeedSpec>();
  private readonly listener: RecordListener;

  constructor(
    private readonly bus: Bus,
    specs: readonly FeedSpec[],
    private readonly fromUs: number,
    private readonly toUs: number,
    private readonly width = 60,
  ) {
    for (const s of specs) {
      this.specs.set(s.id, s);
      this.values.set(s.id, new Float64Array(width).fill(Number.NaN));
      this.marks.set(s.id, new Uint8Array(width));
    }
    this.listener = (bytes, offset) => {
      const type = recordType(bytes, offset);
      if (type !== RecordType.QUOTE && type !== RecordType.SENSOR) return;
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
      const k = Math.floor(((readI64(view, 8) - this.fromUs) / (this.toUs - this.fromUs)) * this.width);
      const id = recordSymbolId(bytes, offset);
      const row = this.values.get(id);
      const marks = this.marks.get(id);
      if (row === undefined || marks === undefined || k < 0 || k >= this.width) return;
      if (type === RecordType.QUOTE) {
        row[k] = (readI64(view, 16) + readI64(view, 24)) / 2;
        return;
      }
      const quality = view.getUint8(24);
      marks[k] = quality;
      if (quality === 0) row[k] = readI64(view, 16);
    };
    for (const id of this.specs.keys()) bus.subscribe(id, this.listener);
  }

  /** Stops collecting. */
  close(): void {
    for (const id of this.specs.keys()) this.bus.unsubscribe(id, this.listener);
  }

  /** One line per symbol: symbol, first value, chart, last value, unit. */
  render(): string {
    const lines: string[] = [];
    const pad = Math.max(...[...this.specs.values()].map((s) => s.symbol.length));
    for (const [id, row] of this.values) {
      const spec = this.specs.get(id)!;
      const marks = this.marks.get(id)!;
      const values = [...row].map((v, k) => (marks[k] === 0 ? v : Number.NaN));
      const present = values.filter((v) => !Number.isNaN(v));
      if (present.length === 0) continue;
      const blocks = [...sparkline(values)].map((c, k) => QUALITY_MARKS[marks[k]!] || c).join('');
      const fmt = (v: number): string => formatMantissa(Math.round(v), spec.decimals);
      const unit = isSensor(spec) ? ` ${spec.units}` : '';
      lines.push(
        `${spec.symbol.padEnd(pad)}  ${fmt(present[0]!).padStart(10)} ${blocks} ${fmt(present.at(-1)!)}${unit}`,
      );
    }
    return lines.join('\n');
  }
}
