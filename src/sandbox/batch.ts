/**
 * Collection PATCH (NDJSON, `application/vnd.akeneo.collection+json`) as Akeneo's
 * StreamResourceResponse runs it: ≤100 lines else 413 for the whole request; each line handled
 * on its own (413 too long, 400 bad JSON, 422 missing key, else the single-item PATCH result);
 * one compact JSON line per input line, `\n`-separated, no trailing newline.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COLLECTION_TYPE, isObject, phpJson, plain, rawBody, requireContentType } from './http.js';

export const MAX_LINES = 100;
export const MAX_LINE_CHARS = 1_000_000;

export interface ItemOutcome {
  status: number;
  /** Error body of the single-item call (its `code` is dropped; message/errors/_links kept). */
  body?: Record<string, unknown>;
  /** Key to echo when the line's own key is not the one to show (e.g. normalised). */
  key?: string;
}

export type KeyField = 'identifier' | 'uuid' | 'code';

const MISSING: Record<KeyField, string> = {
  identifier: 'Identifier is missing.',
  uuid: 'Uuid is missing.',
  code: 'Code is missing.',
};

/**
 * Splits an NDJSON body into lines as PHP's stream_get_line does in StreamResourceResponse: every
 * `\n` ends a line, so a blank line is a line (answered 400 like any line that is not JSON) and
 * only the final newline opens none. Throws the whole-request errors.
 */
export function collectionLines(req: FastifyRequest): string[] {
  requireContentType(req, COLLECTION_TYPE);
  const text = rawBody(req);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_LINES) throw plain(413, `Too many resources to process, ${MAX_LINES} is the maximum allowed.`);
  if (req.sandbox) req.sandbox.lines = lines.length;
  return lines;
}

export function lineResult(line: number, keyField: KeyField, key: string | undefined, outcome: ItemOutcome): Record<string, unknown> {
  const out: Record<string, unknown> = { line };
  if (key !== undefined) out[keyField] = outcome.key ?? key;
  out['status_code'] = outcome.status;
  if (outcome.body) {
    for (const [k, v] of Object.entries(outcome.body)) if (k !== 'code') out[k] = v;
  }
  return out;
}

/** Runs every line through `apply` and writes the NDJSON response. */
export async function runCollection(
  req: FastifyRequest,
  reply: FastifyReply,
  keyField: KeyField,
  apply: (key: string, item: Record<string, unknown>) => ItemOutcome | Promise<ItemOutcome>,
): Promise<FastifyReply> {
  const lines = collectionLines(req);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const text = lines[i] as string;
    if (text.length > MAX_LINE_CHARS) {
      out.push(phpJson({ line: n, status_code: 413, message: 'Line is too long.' }));
      continue;
    }
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch {
      item = null;
    }
    // PHP's json_decode gives null for text that is not JSON (and for `null`): 400. Any other
    // JSON value decodes; one that is not an object has no key: 422 "… is missing.".
    if (item === null) {
      out.push(phpJson({ line: n, status_code: 400, message: 'Invalid json message received' }));
      continue;
    }
    if (!isObject(item)) {
      out.push(phpJson({ line: n, status_code: 422, message: MISSING[keyField] }));
      continue;
    }
    const key = item[keyField];
    if (key === undefined || key === null || (typeof key === 'string' && key.trim() === '')) {
      out.push(phpJson({ line: n, status_code: 422, message: MISSING[keyField] }));
      continue;
    }
    if (typeof key !== 'string') {
      out.push(phpJson({ line: n, status_code: 422, message: `${keyField} must be of type string.` }));
      continue;
    }
    let outcome: ItemOutcome;
    try {
      outcome = await apply(key, item);
    } catch (err) {
      const e = err as { status?: number; body?: Record<string, unknown> };
      if (typeof e.status === 'number' && e.body) outcome = { status: e.status, body: e.body };
      else throw err;
    }
    out.push(phpJson(lineResult(n, keyField, key, outcome)));
  }
  return reply.code(200).header('content-type', COLLECTION_TYPE).send(Buffer.from(out.join('\n'), 'utf8'));
}
