/**
 * A minimal typed event emitter for the buses and the browser's stream client alike: no
 * node:events, no DOM EventTarget boxing (ESLint keeps this file free of Node-only globals).
 */
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

  /** Calls every handler of `event`; a throwing handler does not stop the others. */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
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
