/**
 * Parses and validates untrusted client control messages. Kept out of codec/index.ts so that
 * browser bundles, which never validate client messages, do not pull in Ajv.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { CLIENT_OPS, clientMessageSchemas, ErrorCode, type ClientMessage, type ClientOp } from './control.ts';

export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string; id?: number };

let validators: Map<string, ValidateFunction> | null = null;

function compiled(): Map<string, ValidateFunction> {
  if (validators === null) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    validators = new Map(CLIENT_OPS.map((op) => [op, ajv.compile(clientMessageSchemas[op])]));
  }
  return validators;
}

function echoId(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Parses one text frame; never throws. `maxBytes` bounds the UTF-8 size. */
export function parseClientMessage(text: string, maxBytes: number): ParseResult {
  // A UTF-8 byte is at least one UTF-16 unit and at most three: check cheaply before measuring.
  if (
    text.length > maxBytes ||
    (text.length * 3 > maxBytes && new TextEncoder().encode(text).length > maxBytes)
  ) {
    return { ok: false, code: ErrorCode.MESSAGE_TOO_BIG, message: `control message over ${maxBytes} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: ErrorCode.BAD_JSON, message: `invalid JSON: ${(err as Error).message}` };
  }
  const id = echoId(value);
  const fail = (code: ErrorCode, message: string): ParseResult =>
    id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(ErrorCode.BAD_MESSAGE, 'a control message must be a JSON object');
  }
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'string') return fail(ErrorCode.BAD_MESSAGE, '"op" must be a string');
  const validate = compiled().get(op);
  if (validate === undefined) return fail(ErrorCode.UNKNOWN_OP, `unknown op "${op.slice(0, 32)}"`);
  if (!validate(value)) {
    const e = validate.errors?.[0];
    const where =
      e === undefined
        ? '/'
        : e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${String(e.params.additionalProperty)}`
          : e.instancePath || '/';
    return fail(ErrorCode.BAD_MESSAGE, `${op}: ${where} ${e?.message ?? 'is invalid'}`);
  }
  return { ok: true, message: value as ClientMessage };
}

export type { ClientOp };
