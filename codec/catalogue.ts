/** The symbol catalogue as it travels in `catalogue` replies and GET /api/symbols. */

export type InstrumentKind = 'equity' | 'fx' | 'crypto' | 'future' | 'index' | 'sensor';

export interface CatalogueEntry {
  /** Numeric id carried in every binary record (1..65535). */
  id: number;
  /** Ticker used in control messages, e.g. "AAPL", "BTC-USD", "TEMP-1". */
  symbol: string;
  name: string;
  kind: InstrumentKind;
  /** Decimals of price (or sensor value) mantissas: value = mantissa / 10^decimals. */
  decimals: number;
  /** Decimals of size mantissas in quote and trade records. */
  sizeDecimals: number;
  /** Smallest price step as a decimal string, e.g. "0.01". */
  tickSize: string;
  /** Quote currency for instruments, physical unit for sensors ("°C", "kW"). */
  units: string;
  /** Sensors: physical bounds of the value, decimal strings. */
  min?: string;
  max?: string;
  /** Sensors: alarm thresholds, decimal strings. */
  alarmLow?: string;
  alarmHigh?: string;
}
