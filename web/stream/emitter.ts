/** Minimal typed event emitter for the browser client (no Node `events`, no DOM EventTarget boxing). */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly handlers = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a handler and returns a function that removes it. */
  on<E extends keyof Events>(event: E, fn: Events[E]): () => void {
    let set = this.handlers.get(event);
    if (set === undefined) this.handlers.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /** Removes a handler. */
  off<E extends keyof Events>(event: E, fn: Events[E]): void {
    this.handlers.get(event)?.delete(fn);
  }

  /** Calls every handler; one that throws does not stop the others. */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.handlers.get(event);
    if (set === undefined) return;
    for (const fn of set) {
      try {
        (fn as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
