import type { ConnectionState, Refusal } from '../stream/index.ts';

/** The refusal the connection state carries, if any. */
export function stateRefusal(state: ConnectionState): Refusal | null {
  return (state.kind === 'failed' || state.kind === 'reconnecting') && state.refusal !== undefined
    ? state.refusal
    : null;
}

/** The banner title of a refusal: each kind its own words, never "connection lost". */
export function refusalTitle(r: Refusal): string {
  switch (r.kind) {
    case 'sign-in':
      return 'SIGN-IN REQUIRED — DATA NOT LIVE';
    case 'origin':
      return 'PAGE NOT ALLOWED BY THE GATEWAY — DATA NOT LIVE';
    case 'full':
      return 'GATEWAY FULL — DATA NOT LIVE';
    case 'version':
      return 'UNSUPPORTED VERSION — DATA NOT LIVE';
  }
}

/** Why a sign-in is refused, in one line a technician at the screen understands. */
function signInLine(code: string): string {
  switch (code) {
    case 'TOKEN_MISSING':
      return 'This screen has no access token: open it with a provisioning link (…#token=…) or sign in.';
    case 'TOKEN_EXPIRED':
      return "This screen's access token has expired: provision a new one (…#token=…) or sign in again.";
    case 'TOKEN_NOT_YET_VALID':
      return "This screen's access token is not valid yet: check the screen's clock, or provision a new token.";
    case 'TICKET_INVALID':
      return 'The gateway did not accept the connection ticket: reload the page.';
    default:
      return `The gateway refused this screen's access token (${code}): provision a new one (…#token=…) or sign in again.`;
  }
}

/** What to do about a refusal, in one line. */
export function refusalLine(r: Refusal): string {
  switch (r.kind) {
    case 'sign-in':
      return signInLine(r.code);
    case 'origin':
      return `The gateway does not accept streams from this page's address (${r.code}): add it to the gateway's "origins".`;
    case 'full':
      return `The gateway is at its connection limit (${r.code}); this screen tries again by itself.`;
    case 'version':
      return `The gateway does not serve this page's protocol version (${r.code}): reload to get the page it serves.`;
  }
}
