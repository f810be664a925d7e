/**
 * Everything the gateway knows about who may connect: the token verifier, one-time tickets, the
 * client address behind trusted proxies, the connection-attempt limit and the sign-in audit.
 * Built once per gateway from its options.
 */
import { SignInAudit, type AuditLog, type SignInVia } from './audit.ts';
import { ClientAddress, proxyEntry, type ForwardHeader } from './client-address.ts';
import { ConnectRate } from './connect-rate.ts';
import { configError } from './keys.ts';
import { AuthRefusal, refuse } from './refusal.ts';
import { Tickets } from './tickets.ts';
import { TokenVerifier, type IdentityOptions, type Verdict } from './verifier.ts';

/** The gateway options identity is built from. */
export interface AccessOptions extends IdentityOptions {
  /** Proxies (addresses, CIDR ranges) whose forwarding header is believed. */
  trustProxy: readonly string[];
  trustProxyHeader: ForwardHeader;
  /** New connections per client address per minute; 0 = no limit. */
  maxConnectsPerMinute: number;
  /** How long before `exp` a connection is warned (`expiring`), in seconds. */
  authWarnSec: number;
}

/** The `Authorization` header with the Bearer scheme, whose name is case-insensitive (RFC 7235 2.1). */
const BEARER = /^bearer[ \t]+(\S.*?)[ \t]*$/i;

/** The token of an `Authorization: Bearer` header, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = authorization === undefined ? null : BEARER.exec(authorization);
  return m === null ? undefined : m[1];
}

/** The gateway's identity services. */
export class Identity {
  readonly audit = new SignInAudit();
  readonly tickets = new Tickets();

  private constructor(
    readonly verifier: TokenVerifier,
    readonly addresses: ClientAddress,
    readonly connects: ConnectRate,
    readonly warnBeforeMs: number,
  ) {}

  /** Reads key files and checks the proxy list; a bad value stops start-up (configError). */
  static async create(o: AccessOptions): Promise<Identity> {
    const proxies = o.trustProxy.map((p) => {
      const e = proxyEntry(p);
      if (e === null) {
        configError(
          'trustProxy',
          `invalid trustProxy entry ${JSON.stringify(p)} (expected an IP address or a CIDR range such as 10.0.0.0/8)`,
        );
      }
      return e;
    });
    return new Identity(
      await TokenVerifier.create(o),
      new ClientAddress(proxies, o.trustProxyHeader),
      new ConnectRate(o.maxConnectsPerMinute),
      o.authWarnSec * 1000,
    );
  }

  /** True when connections need a token (or a ticket). */
  get required(): boolean {
    return this.verifier.required;
  }

  /**
   * Verifies a presented token and writes the audit line; `via` says where it was presented. With
   * `sameSub` (a refresh), a token for anyone else is refused with TOKEN_OTHER_SUB.
   */
  async signIn(
    token: string | undefined,
    ip: string,
    via: SignInVia,
    log: AuditLog,
    sameSub?: string,
  ): Promise<Verdict> {
    let verdict = await this.verifier.verify(token);
    if (verdict.ok && sameSub !== undefined && verdict.sub !== sameSub) {
      verdict = refuse(AuthRefusal.TOKEN_OTHER_SUB, 'the token names another user than this connection');
    }
    // Without authentication there is nothing to audit: every client is the same anonymous principal.
    if (this.required) this.audit.record(log, verdict, ip, via);
    return verdict;
  }

  /** Spends a ticket: its principal, or TICKET_INVALID (audited). An expired token also fails here. */
  redeem(ticket: string, ip: string, log: AuditLog): Verdict {
    const p = this.tickets.redeem(ticket);
    const verdict: Verdict =
      p !== null && (p.expiresAt === null || p.expiresAt > Date.now())
        ? p
        : refuse(AuthRefusal.TICKET_INVALID, 'the ticket is unknown, already used or expired');
    this.audit.record(log, verdict, ip, 'redeem');
    return verdict;
  }
}
