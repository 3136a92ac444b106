/**
 * Batch upserts through Akeneo's collection PATCH (NDJSON, ≤100 lines) or, for records,
 * assets and measurement families, a JSON array. Every input item gets its own BatchResult,
 * in input order, whether it was refused before sending, split after a 413, or answered
 * line by line. Chunks go out concurrently through the governor, except that a chunk
 * whose items' parents sit in an earlier chunk waits for that chunk (category trees,
 * product-model levels).
 */
import { z } from 'zod';
import { AkeneoAuthError, AkeneoError, describeValidationItem } from './errors.js';
import type { ValidationErrorItem } from './model.js';
import type { Transport } from './transport.js';

export interface BatchResult<T> {
  input: T;
  /** Position of the item in the array given to upsertMany. */
  index: number;
  /** Line number (1-based) inside the request that carried it; 0 when it was never sent. */
  line: number;
  /** Akeneo's status for the line (201, 204, 422…); 0 when no HTTP answer exists for it. */
  status: number;
  outcome: 'created' | 'updated' | 'failed';
  /** The item's key: uuid, identifier or code. */
  key: string;
  /** Products in uuid mode: the uuid the product has (generated client-side when absent). */
  uuid?: string;
  /**
   * The request was resent after an attempt the PIM may have processed (see CallResult.resent):
   * an "updated" may then be the PIM finding what this very write created on that attempt.
   */
  resent?: boolean;
  message?: string;
  errors?: ValidationErrorItem[];
}

/** Akeneo refuses lines longer than this many characters. */
export const MAX_LINE_CHARS = 1_000_000;
export const MAX_LINES_PER_CALL = 100;

export interface BatchSpec<T> {
  route: string;
  params?: Record<string, string>;
  format: 'ndjson' | 'json-array';
  keyField: 'uuid' | 'identifier' | 'code';
  /** What kind of item (for messages): "product", "category"… */
  noun: string;
  /** Prepares the item as it goes on the wire (generated uuid, read-only fields removed). */
  prepare?: (item: T) => Record<string, unknown>;
  /** The parent key of an item, when parents must be written before their children. */
  parentOf?: (item: Record<string, unknown>) => string | null | undefined;
  optionWrite?: boolean;
  chunkSize?: number;
}

const lineSchema = z.looseObject({
  line: z.coerce.number().int().optional(),
  uuid: z.string().optional(),
  identifier: z.string().nullable().optional(),
  code: z.string().optional(),
  status_code: z.coerce.number().int(),
  message: z.string().optional(),
  errors: z.array(z.looseObject({ message: z.string() })).optional(),
});
type Line = z.infer<typeof lineSchema>;

interface Prepared<T> {
  input: T;
  index: number;
  key: string;
  wire: Record<string, unknown>;
  text: string;
}

function keyOf(wire: Record<string, unknown>, field: string): string {
  const v = wire[field];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export async function upsertBatch<T>(transport: Transport, spec: BatchSpec<T>, items: readonly T[]): Promise<BatchResult<T>[]> {
  const results: BatchResult<T>[] = new Array(items.length);
  const size = Math.max(1, Math.min(MAX_LINES_PER_CALL, spec.chunkSize ?? MAX_LINES_PER_CALL));
  // Which chunk writes each key, so a child's chunk can wait for its parent's.
  const chunkOfKey = new Map<string, number>();
  const done: Promise<void>[] = [];
  let current: Prepared<T>[] = [];
  let aborted = false;

  // Chunks are prepared and dispatched one at a time: the first call is on the wire while
  // the rest are still being serialized, instead of after all 20,000 items are.
  const dispatch = () => {
    const chunk = current;
    current = [];
    const i = done.length;
    let after = -1;
    if (spec.parentOf) {
      for (const p of chunk) {
        const parent = spec.parentOf(p.wire);
        const at = parent ? chunkOfKey.get(parent) : undefined;
        if (at !== undefined && at > after) after = at;
      }
    }
    for (const p of chunk) chunkOfKey.set(p.key, i);
    const wait = after >= 0 ? done[after]! : Promise.resolve();
    const sent = wait.then(() => sendChunk(transport, spec, chunk, results));
    // Handled here so a failure (refused credentials) while later chunks are still being
    // prepared is not an unhandled rejection; Promise.all below still reports it.
    sent.catch(() => {
      aborted = true;
    });
    done.push(sent);
  };

  for (let index = 0; index < items.length && !aborted; index++) {
    const input = items[index]!;
    const wire = spec.prepare ? spec.prepare(input) : ({ ...(input as Record<string, unknown>) } as Record<string, unknown>);
    const key = keyOf(wire, spec.keyField);
    const base = { input, index, line: 0, status: 0, outcome: 'failed' as const, key, ...(spec.keyField === 'uuid' && key ? { uuid: key } : {}) };
    if (!key) {
      results[index] = { ...base, status: 422, message: `${spec.noun} #${index + 1} has no ${spec.keyField}; set it and send it again.` };
      continue;
    }
    const text = JSON.stringify(wire);
    if (text.length > MAX_LINE_CHARS) {
      results[index] = {
        ...base,
        status: 413,
        message: `${spec.noun} ${key} was not sent: its JSON is ${text.length.toLocaleString('en-US')} characters and Akeneo refuses lines over ${MAX_LINE_CHARS.toLocaleString('en-US')}; shorten its values (long texts, tables or many locales).`,
      };
      continue;
    }
    current.push({ input, index, key, wire, text });
    if (current.length === size) {
      dispatch();
      // Fill the concurrency window at once, then let the queued calls go out before
      // serializing the next chunk (it will not be sent before a slot frees anyway).
      if (done.length >= transport.governor.limit) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (current.length > 0 && !aborted) dispatch();
  await Promise.all(done);
  return results;
}

async function sendChunk<T>(transport: Transport, spec: BatchSpec<T>, chunk: Prepared<T>[], results: BatchResult<T>[]): Promise<void> {
  let res;
  try {
    res = await transport.call({
      method: 'PATCH',
      route: spec.route,
      params: spec.params,
      body: spec.format === 'ndjson' ? { kind: 'ndjson', lines: chunk.map((p) => p.text) } : { kind: 'json', value: chunk.map((p) => p.wire) },
      optionWrite: spec.optionWrite,
      allow: [413],
    });
  } catch (err) {
    // Nothing will work with refused credentials: stop the whole batch.
    if (err instanceof AkeneoAuthError) throw err;
    const e = err instanceof AkeneoError ? err : new AkeneoError({ message: String(err), method: 'PATCH', path: spec.route });
    chunk.forEach((p, i) => {
      results[p.index] = failed(p, spec, i + 1, e.status ?? 0, `${spec.noun} ${p.key} was not written: ${e.toString()}`, e.errors);
    });
    return;
  }
  if (res.status === 413) {
    if (chunk.length > 1) {
      // Too large for this PIM (its limit may be lower than 100 lines): halve and resend.
      const mid = Math.ceil(chunk.length / 2);
      await Promise.all([sendChunk(transport, spec, chunk.slice(0, mid), results), sendChunk(transport, spec, chunk.slice(mid), results)]);
      return;
    }
    const p = chunk[0]!;
    results[p.index] = failed(p, spec, 1, 413, `${spec.noun} ${p.key} was refused as too large (HTTP 413); shorten its values.`);
    return;
  }

  const lines = parseLines(res.text(), spec.format);
  const byLine = new Map<number, Line>();
  const byKey = new Map<string, Line>();
  lines.forEach((l, i) => {
    byLine.set(spec.format === 'ndjson' ? (l.line ?? i + 1) : i + 1, l);
    const k = l.uuid ?? l.identifier ?? l.code;
    if (k) byKey.set(k, l);
  });
  chunk.forEach((p, i) => {
    const line = i + 1;
    let answer = byLine.get(line);
    // Defensive: if Akeneo's line numbering and ours disagree, trust the key.
    if (answer && (answer.uuid ?? answer.identifier ?? answer.code) && (answer.uuid ?? answer.identifier ?? answer.code) !== p.key) answer = byKey.get(p.key) ?? answer;
    if (!answer) {
      results[p.index] = failed(p, spec, line, 0, `${spec.noun} ${p.key}: the PIM's answer has no result for line ${line}; it may or may not be written, send it again.`);
      return;
    }
    const status = answer.status_code;
    if (status === 201 || status === 204) {
      results[p.index] = {
        input: p.input,
        index: p.index,
        line,
        status,
        outcome: status === 201 ? 'created' : 'updated',
        key: p.key,
        ...(spec.keyField === 'uuid' ? { uuid: p.key } : {}),
        ...(res.resent ? { resent: true } : {}),
      };
      return;
    }
    const errors = answer.errors as ValidationErrorItem[] | undefined;
    const detail = errors && errors.length > 0 ? `${answer.message ?? 'Validation failed.'} ${errors.map(describeValidationItem).join('; ')}` : (answer.message ?? `HTTP ${status}`);
    results[p.index] = failed(p, spec, line, status, `${spec.noun} ${p.key}: ${detail}`, errors);
  });
}

function failed<T>(p: Prepared<T>, spec: BatchSpec<T>, line: number, status: number, message: string, errors?: ValidationErrorItem[]): BatchResult<T> {
  return {
    input: p.input,
    index: p.index,
    line,
    status,
    outcome: 'failed',
    key: p.key,
    ...(spec.keyField === 'uuid' ? { uuid: p.key } : {}),
    message,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

function parseLines(text: string, format: 'ndjson' | 'json-array'): Line[] {
  const raw: unknown[] = [];
  if (format === 'json-array') {
    try {
      const body = JSON.parse(text) as unknown;
      if (Array.isArray(body)) raw.push(...body);
    } catch {
      /* an unreadable answer leaves every item without a result, reported as such */
    }
  } else {
    for (const part of text.split('\n')) {
      if (!part.trim()) continue;
      try {
        raw.push(JSON.parse(part));
      } catch {
        /* skip a garbled line; its item is reported as unanswered */
      }
    }
  }
  const out: Line[] = [];
  for (const r of raw) {
    const parsed = lineSchema.safeParse(r);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}
