/**
 * The client's address behind reverse proxies. The address a forwarding header names is believed
 * only when the host that handed it over is a configured trusted proxy (`trustProxy`: addresses
 * and CIDR ranges); walking from the peer towards the client, the first address that is not a
 * trusted proxy is the client. Only one header is read (`trustProxyHeader`): a proxy that writes
 * X-Forwarded-For passes a client's own `Forwarded` header through untouched, and the other way round.
 */
import { BlockList, isIP } from 'node:net';

/** Which forwarding header the trusted proxies write. */
export type ForwardHeader = 'x-forwarded-for' | 'forwarded';

/** Most hops read from a header: bounds the work a long forged chain can cause. */
export const MAX_HOPS = 32;

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** An address in the form logs and per-address limits use: IPv4-mapped IPv6 as plain IPv4, IPv6 lower-case. */
export function normalAddress(address: string): string {
  const m = MAPPED_V4.exec(address);
  return m !== null ? m[1]! : address.toLowerCase();
}

/** A trusted-proxy entry in its normal form, or null when it is not an address or a CIDR range. */
export function proxyEntry(raw: string): string | null {
  const slash = raw.indexOf('/');
  const addr = slash < 0 ? raw : raw.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return null;
  if (slash < 0) return normalAddress(addr);
  const bitsText = raw.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > (family === 4 ? 32 : 128)) return null;
  return `${addr.toLowerCase()}/${bits}`;
}

/** Resolves client addresses from a peer address and forwarding headers. */
export class ClientAddress {
  private readonly trusted = new BlockList();
  readonly enabled: boolean;

  /** `proxies`: entries already checked by `proxyEntry`. */
  constructor(
    proxies: readonly string[],
    private readonly header: ForwardHeader = 'x-forwarded-for',
  ) {
    for (const p of proxies) {
      const slash = p.indexOf('/');
      const addr = slash < 0 ? p : p.slice(0, slash);
      const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
      if (slash < 0) this.trusted.addAddress(addr, family);
      else this.trusted.addSubnet(addr, Number(p.slice(slash + 1)), family);
    }
    this.enabled = proxies.length > 0;
  }

  /** True when `address` is a configured trusted proxy. */
  isTrusted(address: string): boolean {
    const a = normalAddress(address);
    const family = isIP(a);
    return family !== 0 && this.trusted.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The client's address for a connection from `peer` with these request headers. */
  resolve(peer: string, headers: Readonly<Record<string, string | string[] | undefined>>): string {
    let current = normalAddress(peer);
    if (!this.enabled || !this.isTrusted(current)) return current;
    const hops =
      this.header === 'forwarded'
        ? forwardedFor(headers.forwarded)
        : xForwardedFor(headers['x-forwarded-for']);
    // Right to left: each address was written by the hop after it, which we trust so far.
    for (let i = hops.length - 1; i >= 0; i--) {
      const next = hops[i]!;
      if (next === null) return current;
      current = next;
      if (!this.isTrusted(current)) return current;
    }
    return current;
  }
}

function joined(value: string | string[] | undefined): string {
  return value === undefined ? '' : Array.isArray(value) ? value.join(',') : value;
}

/** The addresses of X-Forwarded-For, client first; null where an entry is not an address. */
export function xForwardedFor(value: string | string[] | undefined): (string | null)[] {
  const parts = joined(value).split(',');
  const out: (string | null)[] = [];
  for (let i = Math.max(0, parts.length - MAX_HOPS); i < parts.length; i++) {
    const p = parts[i]!.trim();
    if (p === '') continue;
    out.push(isIP(p) === 0 ? null : normalAddress(p));
  }
  return out;
}

/**
 * The `for=` addresses of a Forwarded header (RFC 7239), client first; null where a hop has no
 * `for`, or an obfuscated or unknown one, which ends the walk there.
 */
export function forwardedFor(value: string | string[] | undefined): (string | null)[] {
  const elements = joined(value).split(',');
  const out: (string | null)[] = [];
  for (let i = Math.max(0, elements.length - MAX_HOPS); i < elements.length; i++) {
    const el = elements[i]!.trim();
    if (el === '') continue;
    let addr: string | null = null;
    for (const pair of el.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      addr = forValue(pair.slice(eq + 1).trim());
    }
    out.push(addr);
  }
  return out;
}

/** The address of one `for=` value: `192.0.2.1`, `"192.0.2.1:80"`, `"[2001:db8::1]:4711"`; null otherwise. */
function forValue(raw: string): string | null {
  let v = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    if (close < 0) return null;
    v = v.slice(1, close);
    return isIP(v) === 6 ? normalAddress(v) : null;
  }
  const colon = v.indexOf(':');
  if (colon >= 0 && v.indexOf(':', colon + 1) < 0) v = v.slice(0, colon);
  return isIP(v) === 4 ? v : null;
}
