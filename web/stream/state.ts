import { CloseCode } from '../../codec/index.ts';
import type { Refusal } from './credentials.ts';

/** Connection lifecycle as the UI shows it. Times are `Date.now()` milliseconds. */
export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number }
  /** `refusal` when the gateway turned the page away for a while (gateway full). */
  | { kind: 'reconnecting'; attempt: number; retryAt: number; reason: string; refusal?: Refusal }
  /**
   * The gateway closed with a code that retrying unchanged cannot fix: no automatic retry.
   * `refusal` when it refused the page itself (sign-in required, origin, version).
   */
  | { kind: 'failed'; code: number; reason: string; refusal?: Refusal }
  | { kind: 'closed' };

/** RFC 6455 1006: the link dropped without a close frame (never sent on the wire, only reported). */
export const ABNORMAL_CLOSURE = 1006;

/** Close code of a link the client declares dead after silence (an application code, never sent by the gateway). */
export const SILENT_CLOSE = 4000;

/** Why the socket went away, in words for the banner. */
export function closeReason(code: number, reason: string): string {
  switch (code) {
    case CloseCode.NORMAL:
      return 'closed by server';
    case CloseCode.GOING_AWAY:
      return 'server going away';
    case ABNORMAL_CLOSURE:
      return 'connection lost';
    case CloseCode.PROTOCOL_ERROR:
      return 'protocol error: the client must be fixed';
    case CloseCode.INVALID_PAYLOAD:
      return 'invalid message sent: the client must be fixed';
    case CloseCode.POLICY_VIOLATION:
      return 'rejected by server policy';
    case CloseCode.MESSAGE_TOO_BIG:
      return 'request too large for the server';
    case CloseCode.TRY_AGAIN_LATER:
      return 'server busy';
    case CloseCode.SLOW_CONSUMER:
      return 'too slow to keep up';
    case CloseCode.TOKEN_EXPIRED:
      return 'sign-in expired';
    default:
      return reason !== '' ? reason : `closed (${code})`;
  }
}

/** The refusal a close code stands for: the token expired (4401), or the gateway is full (1013). */
export function closeRefusal(code: number, reason: string): Refusal | undefined {
  if (code === CloseCode.TOKEN_EXPIRED)
    return { kind: 'sign-in', code: 'TOKEN_EXPIRED', message: 'the token has expired', retryAfterSec: 0 };
  if (code === CloseCode.TRY_AGAIN_LATER && reason === 'TOO_MANY_CONNECTIONS')
    return {
      kind: 'full',
      code: reason,
      message: 'the gateway has no room for more connections',
      retryAfterSec: 0,
    };
  return undefined;
}
