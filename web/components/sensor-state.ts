import { parseDecimal, Quality } from '../../codec/index.ts';
import type { Freshness } from '../app/staleness.ts';
import type { SymbolData } from '../stream/index.ts';

export type SensorAlarm = 'ok' | 'high' | 'low' | 'fault' | 'uncertain' | 'offline' | 'stale';

/** Worst condition first: a wall screen shows one state, the one that needs a human most. */
export function sensorAlarm(d: SymbolData, f: Freshness): SensorAlarm {
  if (f.stale) return 'stale';
  if (d.quality === Quality.OFFLINE) return 'offline';
  if (d.quality === Quality.BAD) return 'fault';
  const e = d.entry;
  const hi = e.alarmHigh !== undefined ? parseDecimal(e.alarmHigh, e.decimals) : null;
  const lo = e.alarmLow !== undefined ? parseDecimal(e.alarmLow, e.decimals) : null;
  if (hi !== null && d.value >= hi) return 'high';
  if (lo !== null && d.value <= lo) return 'low';
  if (d.quality === Quality.UNCERTAIN) return 'uncertain';
  return 'ok';
}

/** Label of the state chip. */
export const ALARM_LABEL: Record<SensorAlarm, string> = {
  ok: 'OK',
  high: 'ALARM HIGH',
  low: 'ALARM LOW',
  fault: 'FAULT',
  uncertain: 'UNCERTAIN',
  offline: 'OFFLINE',
  stale: 'DROPOUT',
};
