/** Connection lifecycle as the UI shows it. Times are `Date.now()` milliseconds. */
export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { kind: 'closed' };

/** Why the socket went away, in words for the banner. */
export function closeReason(code: number, reason: string): string {
  switch (code) {
    case 1000:
      return 'closed by server';
    case 1001:
      return 'server going away';
    case 1006:
      return 'connection lost';
    case 1008:
      return 'rejected by server policy';
    case 1013:
      return 'server busy';
    case 4001:
      return 'too slow to keep up';
    default:
      return reason !== '' ? reason : `closed (${code})`;
  }
}
