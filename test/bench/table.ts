/** A table as rows of cells, rendered either as aligned text (terminal) or as Markdown (docs). */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
  /** Free text under the table. */
  note?: string;
}

/** Aligned plain text; numeric-looking columns are right-aligned. */
export function textTable(t: Table): string {
  const all = [t.head, ...t.rows];
  const widths = t.head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = t.head.map(
    (_, i) => i > 0 && t.rows.every((r) => /^[-+×x\d.,% /a-zµ()≤≥<>]*$/i.test(r[i] ?? '')),
  );
  const line = (r: string[]): string =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const out = [
    `== ${t.title}`,
    line(t.head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...t.rows.map(line),
  ];
  if (t.note !== undefined) out.push(t.note);
  return out.join('\n');
}

/** GitHub-flavoured Markdown. */
export function markdownTable(t: Table): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  const out = [
    `| ${t.head.map(esc).join(' | ')} |`,
    `| ${t.head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  if (t.note !== undefined) out.push('', t.note);
  return out.join('\n');
}
