/** Error codes raised by the binary codec; each is listed in docs/protocol.md. */
export const CodecErrorCode = {
  TRUNCATED: 'CODEC_TRUNCATED',
  BAD_MAGIC: 'CODEC_BAD_MAGIC',
  UNSUPPORTED_VERSION: 'CODEC_UNSUPPORTED_VERSION',
  BAD_FRAME_TYPE: 'CODEC_BAD_FRAME_TYPE',
  BAD_COUNT: 'CODEC_BAD_COUNT',
  BAD_RECORD_LENGTH: 'CODEC_BAD_RECORD_LENGTH',
  TRAILING_BYTES: 'CODEC_TRAILING_BYTES',
  BAD_FIELD: 'CODEC_BAD_FIELD',
  RANGE: 'CODEC_RANGE',
  FRAME_FULL: 'CODEC_FRAME_FULL',
  /** Order books (codec/book.ts): a book record that cannot apply to the book the client holds. */
  BOOK_GAP: 'CODEC_BOOK_GAP',
  BOOK_CROSSED: 'CODEC_BOOK_CROSSED',
  BOOK_MISSING_LEVEL: 'CODEC_BOOK_MISSING_LEVEL',
  BOOK_CHECKSUM: 'CODEC_BOOK_CHECKSUM',
  BOOK_BAD_SNAPSHOT: 'CODEC_BOOK_BAD_SNAPSHOT',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

/** A typed codec failure; `code` is stable and documented, `message` is for humans. */
export class CodecError extends Error {
  readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string) {
    super(message);
    this.name = 'CodecError';
    this.code = code;
  }
}
