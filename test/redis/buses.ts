/** The buses one Redis test file opens: each with the file's shared options, all closed together. */
import { connectRedisBus, type ConnectRedisBusOptions, type RedisBus } from '../../bus/redis/redis-bus.ts';

/** Opens RedisBuses on `url()` (read at open time: servers start in beforeAll) and keeps them for `closeAll`. */
export class TestBuses {
  private readonly opened: RedisBus[] = [];

  constructor(
    private readonly url: () => string,
    /** Options every bus of the file shares, over quiet defaults (history 16, no log). */
    private readonly shared: Partial<ConnectRedisBusOptions> = {},
  ) {}

  /** A ready bus with `role`, `prefix` and `extra` over the shared options. */
  readonly open = async (
    role: ConnectRedisBusOptions['role'],
    prefix?: string,
    extra: Partial<ConnectRedisBusOptions> = {},
  ): Promise<RedisBus> => {
    const b = await connectRedisBus(this.url(), {
      historyDepth: 16,
      log: () => {},
      ...this.shared,
      role,
      ...(prefix === undefined ? {} : { prefix }),
      ...extra,
    });
    return this.track(b);
  };

  /** Adds a bus made otherwise (one that is not meant to become ready) to those closed at the end. */
  track(bus: RedisBus): RedisBus {
    this.opened.push(bus);
    return bus;
  }

  /** Closes every bus opened or tracked so far. */
  async closeAll(): Promise<void> {
    for (const b of this.opened.splice(0)) await b.close();
  }
}
