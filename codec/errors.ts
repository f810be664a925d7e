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
