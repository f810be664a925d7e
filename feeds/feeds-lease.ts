/**
 * Takes the lease, or renews it when this process holds it: one atomic step, so two processes can
 * never both get it. Returns 1 when this process holds it now, else the holder's id.
 */
const RENEW = `local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return holder`;

/** Gives the lease up, if this process still holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Runs a Lua script on the key's server: the bus's command connection. */
export type ScriptRunner = (script: string, keys: string[], args: string[]) => Promise<unknown>;

/**
 * Which of several feeds processes started with the same symbols publishes them: run two for
 * redundancy and exactly one publishes, the other stands by and takes over when the first stops
 * renewing (it died, froze, lost Redis, or its feeds stopped), within the lease time plus one
 * renewal interval. Without it both would publish, each with its own prices and sequence numbers,
 * and every client would see a gap at nearly every record.
 *
 * The lease is a Redis key holding the publisher's id, with an expiry of `ttlMs`, renewed every
 * heartbeat. `valid` also expires on this process's own clock, from the time the last renewal was
 * sent: a process that froze for longer than the lease stops publishing before it learns that
 * another took over.
 */
export class FeedsLease {
  /** This process holds the lease, as last answered by Redis. */
  held = false;
  /** Who holds it when this process does not (for the log); '' when unknown or free. */
  holder = '';
  private validUntil = 0;
  private key = '';
  private renewing = false;

  constructor(
    private readonly run: ScriptRunner,
    private readonly id: string,
    private readonly ttlMs: number,
    /** Called when `held` changes. */
    private readonly onChange: (held: boolean) => void,
    /** Called when another process is found holding the lease, or another than before. */
    private readonly onStandby: (holder: string) => void = () => {},
  ) {}

  /** Held, and renewed within the lease time by this process's clock: records may be published. */
  get valid(): boolean {
    return this.held && performance.now() < this.validUntil;
  }

  /** Takes or renews the lease of `key`; resolves to whether this process holds it. */
  async renew(key: string): Promise<boolean> {
    if (this.renewing) return this.held;
    if (this.key !== '' && key !== this.key) await this.release();
    this.key = key;
    this.renewing = true;
    const sentAt = performance.now();
    try {
      const reply = await this.run(RENEW, [key], [this.id, String(this.ttlMs)]);
      const held = reply === 1;
      if (held) this.validUntil = sentAt + this.ttlMs;
      const holder = held ? '' : String(reply);
      // A standby learns (and says) who publishes, and again when that changes.
      const newHolder = !held && holder !== this.holder;
      this.holder = holder;
      this.set(held);
      if (newHolder) this.onStandby(holder);
    } catch {
      // Unknown: the key may still be ours until it expires, which `valid` accounts for.
    } finally {
      this.renewing = false;
    }
    return this.held;
  }

  /** Gives the lease up (a clean stop, or feeds that stopped), so a standby takes over at once. */
  async release(): Promise<void> {
    if (!this.held || this.key === '') return;
    this.holder = '';
    this.set(false);
    try {
      await this.run(RELEASE, [this.key], [this.id]);
    } catch {
      // It expires by itself.
    }
  }

  /** Forgets the lease without telling Redis (it went away): it must be taken again before publishing. */
  drop(): void {
    this.set(false);
  }

  private set(held: boolean): void {
    if (held === this.held) return;
    this.held = held;
    if (!held) this.validUntil = 0;
    this.onChange(held);
  }
}
