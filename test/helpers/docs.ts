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
