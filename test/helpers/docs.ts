/** Reading the project's docs from tests, so examples in them are checked as written. */
import { readFileSync } from 'node:fs';

/** The text of `docs/<name>`. */
export function docText(name: string): string {
  return readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');
}

/** The body of the first fenced `lang` code block after `marker` in `doc`; throws when either is missing. */
export function codeBlock(doc: string, marker: string, lang: string): string {
  const at = doc.indexOf(marker);
  const fence = '```' + lang + '\n';
  const start = at < 0 ? -1 : doc.indexOf(fence, at);
  const end = start < 0 ? -1 : doc.indexOf('\n```', start + fence.length);
  if (end < 0) throw new Error(`no ${lang} block after ${JSON.stringify(marker)}`);
  return doc.slice(start + fence.length, end);
}

/** The body rows of the first Markdown table after `marker` in `doc`, as trimmed cells; throws when there is none. */
export function tableRows(doc: string, marker: string): string[][] {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`no ${JSON.stringify(marker)} in the doc`);
  const lines = doc.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  if (start < 0) throw new Error(`no table after ${JSON.stringify(marker)}`);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end).map((l) =>
    l
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim()),
  );
}
