import { MAX_SYMBOL_ID } from '../../codec/constants.ts';

/**
 * Takes each free lease and renews each this process holds, in one atomic step, so two processes
 * never both get one. Returns, per key, 1 when this process holds it now, else the holder's id.
 */
const RENEW = `local out = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == false or holder == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    out[i] = 1
  else
    out[i] = holder
  end
end
return out`;

/** Gives up the leases among KEYS that this process still holds; returns how many. */
const RELEASE = `local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    n = n + redis.call('DEL', key)
  end
end
return n`;

/** Keys per script call: a long script blocks Redis for everyone, so a large catalogue goes in parts. */
const KEYS_PER_CALL = 1000;

/** Runs a Lua script on the keys' server: the bus's command connection. */
export type ScriptRunner = (script: string, keys: string[], args: string[]) => Promise<unknown>;

/** What changed in one renewal or release: symbol ids whose lease was taken, and lost or given up. */
export interface LeaseChange {
  taken: readonly number[];
  lost: readonly number[];
}

/**
 * Which of the feeds processes able to publish a symbol does: each symbol has its own lease, so
 * of several processes whose catalogues share a symbol exactly one publishes it, whether they run
 * the same catalogue (redundancy) or overlapping ones. The others keep generating it and stand
 * by; one takes over when the holder stops renewing (it died, froze, lost Redis, or its feeds
 * stopped), within the lease time plus one renewal interval. Without the lease both would
 * publish, each with its own prices and sequence numbers, and every client of that symbol would
 * see a gap at nearly every record.
 *
 * A lease is a Redis key holding the publisher's id, with an expiry of `ttlMs`, renewed every
 * heartbeat. `valid` also expires on this process's own clock, from the time the last renewal was
 * sent: a process that froze for longer than the lease stops publishing before it learns that
 * another took over.
 */
export class FeedsLease {
  /** held[id] is 1 while this process holds symbol `id`'s lease, as last answered by Redis. */
  private readonly held = new Uint8Array(MAX_SYMBOL_ID + 1);
  private heldCount = 0;
  private validUntil = 0;
  /** The symbols asked for at the last renewal. */
  private ids: readonly number[] = [];
  private renewing = false;
  /** The other holders of this process's symbols, `id:count` sorted, as last logged. */
  private holders = '';
  /** Counts give-ups and drops: a renewal answered after one is stale and ignored. */
  private epoch = 0;

  constructor(
    private readonly run: ScriptRunner,
    private readonly id: string,
    private readonly ttlMs: number,
    /** Redis key of a symbol's lease. */
    private readonly keyOf: (symbolId: number) => string,
    /** Called when leases were taken or lost (or given up). */
    private readonly onChange: (change: LeaseChange) => void,
    /** Called when the other holders of this process's symbols change: holder id to count. */
    private readonly onStandby: (holders: ReadonlyMap<string, number>) => void = () => {},
  ) {}

  /** Symbols whose lease this process holds (by Redis's last answer). */
  get count(): number {
    return this.heldCount;
  }

  /** Renewed within the lease time by this process's clock: the symbols it holds may be published. */
  get valid(): boolean {
    return this.heldCount > 0 && performance.now() < this.validUntil;
  }

  /** Whether this process holds symbol `symbolId`'s lease (check `valid` too before publishing). */
  holds(symbolId: number): boolean {
    return this.held[symbolId] === 1;
  }

  /** The symbols held, ascending. */
  heldIds(): number[] {
    const out: number[] = [];
    for (const id of this.ids) if (this.held[id] === 1) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /**
   * Takes the free leases of `ids` and renews those held; gives up those held that `ids` no longer
   * names. Resolves to how many this process holds.
   */
  async renew(ids: readonly number[]): Promise<number> {
    if (this.renewing) return this.heldCount;
    this.renewing = true;
    try {
      if (ids !== this.ids) {
        const keep = new Set(ids);
        const gone = this.ids.filter((id) => this.held[id] === 1 && !keep.has(id));
        this.ids = ids;
        if (gone.length > 0) await this.giveUp(gone);
      }
      const sentAt = performance.now();
      const epoch = this.epoch;
      const parts: Promise<unknown>[] = [];
      for (let i = 0; i < ids.length; i += KEYS_PER_CALL) {
        const keys = ids.slice(i, i + KEYS_PER_CALL).map(this.keyOf);
        parts.push(this.run(RENEW, keys, [this.id, String(this.ttlMs)]));
      }
      // One part unanswered leaves every lease unknown: they may still be ours until they
      // expire, which `valid` accounts for.
      const replies = await Promise.all(parts).catch(() => null);
      if (replies !== null && epoch === this.epoch) this.apply(ids, replies.flat(), sentAt);
    } finally {
      this.renewing = false;
    }
    return this.heldCount;
  }

  /** Gives every lease up (a clean stop, or feeds that stopped), so standbys take over at once. */
  async release(): Promise<void> {
    await this.giveUp(this.heldIds());
  }

  /** Forgets the leases without telling Redis (it went away): they must be taken again before publishing. */
  drop(): void {
    this.epoch++;
    const lost = this.heldIds();
    for (const id of lost) this.held[id] = 0;
    this.settle([], lost);
  }

  private async giveUp(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    this.epoch++;
    for (const id of ids) this.held[id] = 0;
    this.settle([], ids);
    try {
      for (let i = 0; i < ids.length; i += KEYS_PER_CALL) {
        await this.run(RELEASE, ids.slice(i, i + KEYS_PER_CALL).map(this.keyOf), [this.id]);
      }
    } catch {
      // They expire by themselves.
    }
  }

  private apply(ids: readonly number[], replies: unknown[], sentAt: number): void {
    const taken: number[] = [];
    const lost: number[] = [];
    const others = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const mine = replies[i] === 1;
      if (!mine) others.set(String(replies[i]), (others.get(String(replies[i])) ?? 0) + 1);
      if (mine === (this.held[id] === 1)) continue;
      this.held[id] = mine ? 1 : 0;
      (mine ? taken : lost).push(id);
    }
    if (this.heldCount + taken.length - lost.length > 0) this.validUntil = sentAt + this.ttlMs;
    this.settle(taken, lost);
    const holders = [...others]
      .map(([holder, n]) => `${holder}:${n}`)
      .sort()
      .join(' ');
    // A standby learns (and says) who publishes its symbols, and again when that changes.
    if (holders !== this.holders) {
      this.holders = holders;
      if (others.size > 0) this.onStandby(others);
    }
  }

  private settle(taken: readonly number[], lost: readonly number[]): void {
    if (taken.length === 0 && lost.length === 0) return;
    this.heldCount += taken.length - lost.length;
    if (this.heldCount === 0) this.validUntil = 0;
    this.onChange({ taken, lost });
  }
}
