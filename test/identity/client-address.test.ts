/** The client's address behind trusted proxies: headers believed only from configured proxies. */
import Fastify from 'fastify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientAddress,
  forwardedFor,
  proxyEntry,
  xForwardedFor,
} from '../../server/identity/client-address.ts';

const PROXIES = ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'];

describe('proxyEntry', () => {
  it('accepts addresses and CIDR ranges, and nothing else', () => {
    expect(proxyEntry('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(proxyEntry('192.168.1.7')).toBe('192.168.1.7');
    expect(proxyEntry('2001:DB8::/32')).toBe('2001:db8::/32');
    expect(proxyEntry('::ffff:127.0.0.1')).toBe('127.0.0.1');
    for (const bad of [
      '',
      'localhost',
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/8x',
      '::1/129',
      '300.1.1.1',
      '10.0.0.0/-1',
    ]) {
      expect(proxyEntry(bad), bad).toBeNull();
    }
  });
});

describe('ClientAddress.resolve', () => {
  const ca = new ClientAddress(PROXIES);

  it('ignores the header from a peer that is not a trusted proxy', () => {
    expect(ca.resolve('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' })).toBe('203.0.113.9');
    expect(new ClientAddress([]).resolve('10.1.1.1', { 'x-forwarded-for': '1.2.3.4' })).toBe('10.1.1.1');
  });

  it('takes the first address, from the right, that is not a trusted proxy', () => {
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': '1.2.3.4' })).toBe('1.2.3.4');
    // A client's forged entries stand left of the address its first proxy saw: they are never reached.
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 192.168.1.7' })).toBe('1.2.3.4');
    expect(ca.resolve('::ffff:10.1.1.1', { 'x-forwarded-for': ['1.2.3.4', '10.2.2.2'] })).toBe('1.2.3.4');
    expect(ca.resolve('2001:db8::5', { 'x-forwarded-for': '2001:DB9::1' })).toBe('2001:db9::1');
  });

  it('stops at an entry that is not an address and keeps the last trusted hop', () => {
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': 'garbage' })).toBe('10.1.1.1');
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': '1.2.3.4, garbage, 10.2.2.2' })).toBe('10.2.2.2');
    expect(ca.resolve('10.1.1.1', {})).toBe('10.1.1.1');
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': '10.3.3.3, 10.2.2.2' })).toBe('10.3.3.3');
  });

  it('reads Forwarded (RFC 7239) when configured so, and then ignores X-Forwarded-For', () => {
    const fwd = new ClientAddress(PROXIES, 'forwarded');
    expect(
      fwd.resolve('10.1.1.1', { forwarded: 'for=1.2.3.4;proto=https', 'x-forwarded-for': '9.9.9.9' }),
    ).toBe('1.2.3.4');
    expect(fwd.resolve('10.1.1.1', { forwarded: 'for="[2001:db9::1]:4711", for=10.2.2.2' })).toBe(
      '2001:db9::1',
    );
    expect(fwd.resolve('10.1.1.1', { forwarded: 'For="192.0.2.60:80";by=10.2.2.2' })).toBe('192.0.2.60');
    expect(fwd.resolve('10.1.1.1', { forwarded: 'for=unknown' })).toBe('10.1.1.1');
    expect(fwd.resolve('10.1.1.1', { forwarded: 'for=_hidden, for=10.2.2.2' })).toBe('10.2.2.2');
    expect(fwd.resolve('10.1.1.1', { 'x-forwarded-for': '1.2.3.4' })).toBe('10.1.1.1');
    expect(ca.resolve('10.1.1.1', { forwarded: 'for=1.2.3.4' })).toBe('10.1.1.1');
  });

  it('reads at most 32 hops of a long chain', () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(', ');
    expect(xForwardedFor(chain)).toHaveLength(32);
    expect(forwardedFor(chain.replace(/10\./g, 'for=10.'))).toHaveLength(32);
    expect(ca.resolve('10.1.1.1', { 'x-forwarded-for': `1.2.3.4, ${chain}` })).toBe('10.0.3.200');
  });

  it('agrees with the plain definition on random chains', () => {
    const v4 = fc
      .tuple(fc.constantFrom(10, 1, 192), fc.nat(3), fc.nat(3), fc.nat(9))
      .map(([a, b, c, d]) => (a === 192 ? '192.168.1.7' : `${a}.${b}.${c}.${d}`));
    const trusted = (a: string): boolean => a.startsWith('10.') || a === '192.168.1.7';
    fc.assert(
      fc.property(v4, fc.array(v4, { maxLength: 8 }), (peer, chain) => {
        // Plain definition: from the peer leftwards through the chain, the first untrusted address,
        // or the leftmost one when every hop is trusted.
        const path = [peer, ...[...chain].reverse()];
        const expected = path.find((a) => !trusted(a)) ?? path[path.length - 1]!;
        expect(ca.resolve(peer, chain.length ? { 'x-forwarded-for': chain.join(', ') } : {})).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ClientAddress on a real HTTP server', () => {
  it('gives the address Fastify trustProxy gives for X-Forwarded-For, and the peer for untrusted senders', async () => {
    const trustedHere = new ClientAddress(['127.0.0.1']);
    const untrusted = new ClientAddress(['10.0.0.0/8']);
    const app = Fastify({ trustProxy: ['127.0.0.1'] });
    app.get('/ip', async (req) => ({
      fastify: req.ip,
      trusted: trustedHere.resolve(req.socket.remoteAddress!, req.headers),
      untrusted: untrusted.resolve(req.socket.remoteAddress!, req.headers),
    }));
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${base}/ip`, { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.4' } });
      expect(await res.json()).toEqual({
        fastify: '198.51.100.4',
        trusted: '198.51.100.4',
        untrusted: '127.0.0.1',
      });
    } finally {
      await app.close();
    }
  });
});
