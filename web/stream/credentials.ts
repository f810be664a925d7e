/**
 * How the stream client proves who it is before each connection attempt, whatever the transport:
 * the long-lived token goes only in an `Authorization` header (POST /api/ticket), and the attempt
 * carries the one-time ticket it gets back (docs/security.md). Refusals are told apart here, from
 * HTTP answers a page can read (a refused WebSocket upgrade shows the page nothing but 1006).
 */

/** Why the gateway will not serve this page, as the screen tells it. */
export type RefusalKind = 'sign-in' | 'origin' | 'full' | 'version';

export interface Refusal {
  kind: RefusalKind;
  /** The gateway's code: the 401 `reason` (TOKEN_EXPIRED, …), FORBIDDEN_ORIGIN, CONNECT_RATE_LIMITED, … */
  code: string;
  /** The gateway's own words. */
  message: string;
  /** For `full`: seconds to wait before the next attempt (Retry-After); 0 otherwise. */
  retryAfterSec: number;
}

/** What `admit` found: query parameters for the attempt, or a refusal. */
export type Admission =
  | { ok: true; query: Record<string, string>; sub: string | null; expiresAt: number | null }
  | { ok: false; refusal: Refusal };

/** Called by the link around each connection attempt. */
export interface Credentials {
  /** Before each attempt; throws when the gateway cannot be reached (the link retries with backoff). */
  admit(streamUrl: string): Promise<Admission>;
  /** After an attempt ended before the gateway's hello with no close code: why, if the gateway says. */
  diagnose(streamUrl: string): Promise<Refusal | null>;
}

type Fetch = typeof fetch;

/** A gateway that does not answer within this long counts as unreachable (the link backs off and retries). */
const ANSWER_TIMEOUT_MS = 10_000;

/** The http(s) URL of `path` on the gateway of a ws(s) stream URL. */
export function gatewayHttpUrl(streamUrl: string, path: string): string {
  const u = new URL(streamUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  return new URL(path, u).toString();
}

/** The refusal an HTTP answer of the gateway stands for, or null when it is none of them. */
export async function refusalOf(res: Response): Promise<Refusal | null> {
  let body: { code?: unknown; reason?: unknown; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // No JSON body: the status alone tells the kind.
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : res.statusText;
  const retry = Number(res.headers.get('retry-after') ?? '');
  const retryAfterSec = Number.isFinite(retry) && retry > 0 ? Math.min(retry, 3600) : 0;
  switch (res.status) {
    case 401:
      return {
        kind: 'sign-in',
        code: typeof body.reason === 'string' ? body.reason : code,
        message,
        retryAfterSec: 0,
      };
    case 403:
      return { kind: 'origin', code, message, retryAfterSec: 0 };
    case 429:
    case 503:
      return { kind: 'full', code, message, retryAfterSec: retryAfterSec || 5 };
    case 400:
      return code === 'UNSUPPORTED_VERSION' ? { kind: 'version', code, message, retryAfterSec: 0 } : null;
    default:
      return null;
  }
}

/**
 * Tickets from POST /api/ticket with `token()` (none: the request goes without `Authorization`, and
 * a gateway without authentication still answers with a ticket). A gateway without the endpoint
 * (404) is connected to without one.
 */
export function ticketCredentials(
  token: () => string | null,
  fetchFn: Fetch = (...a) => fetch(...a),
): Credentials {
  return {
    async admit(streamUrl): Promise<Admission> {
      const t = token();
      const res = await fetchFn(gatewayHttpUrl(streamUrl, '/api/ticket'), {
        method: 'POST',
        headers: t === null ? {} : { authorization: `Bearer ${t}` },
        cache: 'no-store',
        credentials: 'omit',
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      if (res.status === 404) return { ok: true, query: {}, sub: null, expiresAt: null };
      if (!res.ok) {
        const refusal = await refusalOf(res);
        if (refusal === null) throw new Error(`ticket: HTTP ${res.status}`);
        return { ok: false, refusal };
      }
      const body = (await res.json()) as { ticket?: unknown; sub?: unknown; tokenExpiresAt?: unknown };
      if (typeof body.ticket !== 'string') throw new Error('ticket: no ticket in the answer');
      return {
        ok: true,
        query: { ticket: body.ticket },
        sub: t !== null && typeof body.sub === 'string' ? body.sub : null,
        expiresAt: typeof body.tokenExpiresAt === 'number' ? body.tokenExpiresAt : null,
      };
    },
    async diagnose(streamUrl): Promise<Refusal | null> {
      // A plain GET runs the same checks as the upgrade (version, origin, attempts per minute).
      const res = await fetchFn(
        gatewayHttpUrl(streamUrl, new URL(streamUrl).pathname + new URL(streamUrl).search),
        {
          cache: 'no-store',
          credentials: 'omit',
        },
      );
      const refusal = await refusalOf(res);
      // Without a ticket the probe is always 401 on a gateway with authentication: that says nothing.
      return refusal?.kind === 'sign-in' ? null : refusal;
    },
  };
}
