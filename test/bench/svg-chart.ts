import type { SweepResult } from './scenario/sweep.ts';

const COLORS: Record<string, string> = { tickwall: '#1b7f3b', json: '#c0392b', socketio: '#2c6fbb' };
const NAMES: Record<string, string> = {
  tickwall: 'tickwall',
  json: 'JSON per message (ws)',
  socketio: 'Socket.IO rooms',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function si(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(1)}`;
}

/**
 * A hand-written SVG line chart of the sweep: p99 latency against offered deliveries per
 * second, both axes logarithmic, one line per server, failed steps drawn hollow.
 */
export function sweepChartSvg(sweep: SweepResult): string {
  const W = 760;
  const H = 440;
  const L = 70;
  const R = 20;
  const T = 40;
  const B = 60;
  const pts = sweep.curves.flatMap((c) =>
    c.steps.map((s) => ({ x: s.offeredPerSec, y: Math.max(s.p99Ms, 0.1) })),
  );
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x0 = Math.floor(Math.log10(Math.min(...xs, 1e4)));
  const x1 = Math.ceil(Math.log10(Math.max(...xs, 1e5)));
  const y0 = Math.floor(Math.log10(Math.min(...ys, 1)));
  const y1 = Math.ceil(Math.log10(Math.max(...ys, 1000)));
  // Rounded to 0.1 px: finer coordinates only make the file longer.
  const px = (x: number): number =>
    Math.round((L + ((Math.log10(x) - x0) / (x1 - x0)) * (W - L - R)) * 10) / 10;
  const py = (y: number): number =>
    Math.round((H - B - ((Math.log10(y) - y0) / (y1 - y0)) * (H - T - B)) * 10) / 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">p99 latency vs offered load (saturation sweep)</text>`,
  );
  // Grid and axis labels at every power of ten.
  for (let e = x0; e <= x1; e++) {
    const x = px(10 ** e);
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${H - B}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${H - B + 16}" text-anchor="middle">${si(10 ** e)}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end">${si(10 ** e)}</text>`);
  }
  const limit = sweep.params.maxP99Ms;
  out.push(
    `<line x1="${L}" y1="${py(limit)}" x2="${W - R}" y2="${py(limit)}" stroke="#888" stroke-dasharray="5,4"/>`,
    `<text x="${W - R - 4}" y="${py(limit) - 5}" text-anchor="end" fill="#666">p99 limit ${limit} ms</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">offered deliveries per second (log)</text>`,
    `<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">p99 latency, ms (log)</text>`,
  );
  sweep.curves.forEach((c, i) => {
    const color = COLORS[c.server] ?? '#555';
    const line = c.steps
      .map((s) => `${px(s.offeredPerSec).toFixed(1)},${py(Math.max(s.p99Ms, 0.1)).toFixed(1)}`)
      .join(' ');
    out.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const s of c.steps) {
      const fill = s.pass ? color : '#fff';
      out.push(
        `<circle cx="${px(s.offeredPerSec).toFixed(1)}" cy="${py(Math.max(s.p99Ms, 0.1)).toFixed(1)}" r="4" fill="${fill}" stroke="${color}" stroke-width="2"/>`,
      );
    }
    const ly = T + 16 + i * 18;
    out.push(
      `<line x1="${L + 12}" y1="${ly - 4}" x2="${L + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${L + 42}" y="${ly}">${esc(NAMES[c.server] ?? c.server)}</text>`,
    );
  });
  out.push(
    `<text x="${L + 12}" y="${T + 16 + sweep.curves.length * 18}" fill="#666">hollow: step failed (delivered &lt; ${sweep.params.minDeliveredShare * 100} % or p99 &gt; ${limit} ms)</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
