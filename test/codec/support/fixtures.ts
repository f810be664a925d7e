/** Loads the golden vectors of test/fixtures/frames.json and the protocol document. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DecodedFrame } from '../../../codec/index.ts';
import { docText } from '../../helpers/docs.ts';

export interface FrameVector {
  name: string;
  note: string;
  hex: string;
  frame: DecodedFrame;
}
export interface InvalidVector {
  name: string;
  hex: string;
  code: string;
}
export interface GoldenFile {
  encode: FrameVector[];
  decodeOnly: FrameVector[];
  invalid: InvalidVector[];
}

const root = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));

/** The parsed golden vectors. */
export function loadGolden(): GoldenFile {
  return JSON.parse(readFileSync(root('test/fixtures/frames.json'), 'utf8')) as GoldenFile;
}

/** The text of docs/protocol.md. */
export function loadProtocolDoc(): string {
  return docText('protocol.md');
}

/**
 * Bytes of the hex dump that follows `<!-- golden:NAME -->` in the document: lines of a
 * four-digit hex offset followed by byte pairs. Offsets are checked so the dump cannot skip bytes.
 */
export function docHexDump(doc: string, name: string): Uint8Array {
  const marker = `<!-- golden:${name} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in docs/protocol.md`);
  const fence = doc.indexOf('```', at);
  const end = doc.indexOf('```', fence + 3);
  const lines = doc.slice(doc.indexOf('\n', fence) + 1, end).split('\n');
  const bytes: number[] = [];
  for (const line of lines) {
    const m = /^([0-9a-f]{4})((?:\s+[0-9a-f]{2})+)\s*$/.exec(line);
    if (m === null) {
      if (line.trim() !== '') throw new Error(`bad hex dump line: ${line}`);
      continue;
    }
    if (parseInt(m[1]!, 16) !== bytes.length)
      throw new Error(`hex dump offset ${m[1]} after ${bytes.length} bytes`);
    for (const b of m[2]!.trim().split(/\s+/)) bytes.push(parseInt(b, 16));
  }
  return Uint8Array.from(bytes);
}
