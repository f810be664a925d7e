import type { ConnectionState } from '../stream/index.ts';

/** Seconds until the next reconnect attempt, rounded up, never negative. */
export function countdownSec(state: ConnectionState, now = Date.now()): number {
  return state.kind === 'reconnecting' ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : 0;
}

/** Short human text of a connection state. */
export function connectionText(state: ConnectionState, now = Date.now()): string {
  switch (state.kind) {
    case 'open':
      return 'Live';
    case 'connecting':
      return state.attempt === 0 ? 'Connecting…' : `Reconnecting (attempt ${state.attempt})…`;
    case 'reconnecting':
      return `Disconnected: ${state.reason}. Retrying in ${countdownSec(state, now)} s`;
    case 'failed':
      return `Stopped: ${state.reason}`;
    case 'closed':
      return 'Closed';
  }
}
