/**
 * Records staged between two flushes, grouped per symbol. Publishing copies a record here and
 * returns; one flush per tick turns each symbol's records into three pipelined commands, so the
 * feed never waits for a network round trip and Redis sees O(symbols) commands per tick, not
 * O(records). Bounded: when full, `add` refuses and the caller counts a drop.
 */
export class PublishBatch {
  private bySymbol = new Map<number, Buffer[]>();
  private staged = 0;

  constructor(private readonly maxRecords: number) {}

  /** Records staged and not yet taken. */
  get size(): number {
    return this.staged;
  }

  /** Stages a copy of one record (the caller's bytes are only valid during the call); false when full. */
  add(symbolId: number, bytes: Uint8Array, offset: number, length: number): boolean {
    if (this.staged >= this.maxRecords) return false;
    // Buffer.from(view) copies; subarray alone would alias the feed's reusable buffer.
    const copy = Buffer.from(bytes.subarray(offset, offset + length));
    const list = this.bySymbol.get(symbolId);
    if (list === undefined) this.bySymbol.set(symbolId, [copy]);
    else list.push(copy);
    this.staged++;
    return true;
  }

  /** Hands over every staged record, oldest first per symbol, and starts an empty batch. */
  take(): Map<number, Buffer[]> {
    const out = this.bySymbol;
    this.bySymbol = new Map();
    this.staged = 0;
    return out;
  }
}
