import { CloseCode } from '../../codec/index.ts';

/**
 * What the client does after the gateway closed the link (docs/protocol.md 2.3):
 * - `reconnect`: with the usual backoff;
 * - `later`: with a longer backoff, the gateway asked to be left alone for a while;
 * - `split`: the request was too big; reconnect only once the requests are split smaller;
 * - `stop`: retrying unchanged would fail the same way ("fix the client"); show the error instead.
 */
export type CloseAction = 'reconnect' | 'later' | 'split' | 'stop';

/** The action for a close code. */
export function closeAction(code: number): CloseAction {
  switch (code) {
    case CloseCode.PROTOCOL_ERROR:
    case CloseCode.UNSUPPORTED_DATA:
    case CloseCode.INVALID_PAYLOAD:
      return 'stop';
    case CloseCode.TOKEN_EXPIRED:
      // The same token would be refused: a fresh one must come first (sign-in).
      return 'stop';
    case CloseCode.MESSAGE_TOO_BIG:
      return 'split';
    case CloseCode.POLICY_VIOLATION:
    case CloseCode.TRY_AGAIN_LATER:
    case CloseCode.SLOW_CONSUMER:
      return 'later';
    default:
      return 'reconnect';
  }
}
