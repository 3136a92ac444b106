/**
 * Checks recorded requests against Akeneo's Swagger 2.0 spec (../shared/akeneo/openapi-selfhosted.json),
 * with the relaxations its known flaws need (reference §12): nullable everywhere, any `data` type in
 * values, non-standard formats ignored. On top, unknown top-level body properties are refused, as the
 * real API does (422) although the spec has no additionalProperties:false.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseMultipart, type RecordedRequest } from './fake-akeneo.js';

export const SPEC_PATH = path.resolve(import.meta.dirname, '../../../../shared/akeneo/openapi-selfhosted.json');
export const specAvailable = existsSync(SPEC_PATH);

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string; type?: string; required?: boolean; schema?: Schema; 'x-form-data'?: boolean }[];
}

/** Deep copy of a schema with the relaxations applied. */
export function relax(schema: unknown, key?: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => relax(s));
  if (!schema || typeof schema !== 'object') return schema;
  if (key === 'data') return {}; // value data: typed per attribute, not by the spec
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (k === 'example' || k === 'default' || k.startsWith('x-')) continue;
    if (k === 'format' && v !== 'date-time' && v !== 'uri') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Schema = {};
      for (const [pk, pv] of Object.entries(v as Schema)) props[pk] = relax(pv, pk);
      out[k] = props;
    } else out[k] = relax(v);
  }
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.enum && Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  return out;
}

export class SpecValidator {
  private readonly spec: { paths: Record<string, Record<string, Operation>> };
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    this.spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
    this.ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    (addFormats as unknown as (a: Ajv) => void)(this.ajv);
  }

  /** The spec path template a concrete path matches (most specific first). */
  match(method: string, p: string): { template: string; op: Operation } | undefined {
    const candidates = Object.keys(this.spec.paths).filter((t) => this.spec.paths[t]![method.toLowerCase()]);
    const scored = candidates
      .map((t) => {
        // Media codes contain slashes.
        const re = new RegExp('^' + t.replace(/\{(\w+)\}/g, (_m, n: string) => (n === 'code' && t.includes('media-files') ? '(.+)' : '([^/]+)')) + '$');
        return { t, ok: re.test(p), literal: t.replace(/\{\w+\}/g, '').length };
      })
      .filter((x) => x.ok)
      .sort((a, b) => b.literal - a.literal);
    const best = scored[0];
    return best ? { template: best.t, op: this.spec.paths[best.t]![method.toLowerCase()]! } : undefined;
  }

  /** Problems with one request; empty when it conforms. */
  check(req: RecordedRequest): string[] {
    const where = `${req.method} ${req.path}`;
    const found = this.match(req.method, req.path);
    if (!found) return [`${where}: no such operation in the spec`];
    const problems: string[] = [];
    const params = found.op.parameters ?? [];
    for (const [name, value] of req.query) {
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`${where}: query parameter ${name} is not in the spec`);
        continue;
      }
      if (p.type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`${where}: ${name}=${value} is not an integer`);
      if (p.type === 'boolean' && value !== 'true' && value !== 'false') problems.push(`${where}: ${name}=${value} is not a boolean`);
      if (name === 'search') {
        try {
          JSON.parse(value);
        } catch {
          problems.push(`${where}: search is not JSON`);
        }
      }
    }
    for (const p of params) if (p.in === 'query' && p.required && !req.query.has(p.name)) problems.push(`${where}: missing query parameter ${p.name}`);
    const bodyParam = params.find((x) => x.in === 'body');
    const type = req.headers['content-type'] ?? '';
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (req.body.length > 0) problems.push(`${where}: unexpected body`);
      return problems;
    }
    if (!bodyParam?.schema) return problems;
    const validate = this.validator(`${req.method} ${found.template}`, bodyParam.schema);
    const checkObject = (obj: unknown, label: string) => {
      if (!validate(obj)) problems.push(`${where} ${label}: ${this.ajv.errorsText(validate.errors)}`);
      const props = bodyParam.schema!.properties as Schema | undefined;
      if (props && obj && typeof obj === 'object' && !Array.isArray(obj)) {
        for (const k of Object.keys(obj)) {
          if (!(k in props)) problems.push(`${where} ${label}: property ${k} is not in the spec (Akeneo answers 422)`);
          else if ((props[k] as Schema)['x-read-only'] === true) problems.push(`${where} ${label}: property ${k} is read-only`);
        }
      }
    };
    if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary=(.+)$/.exec(type)?.[1] ?? '';
      const fields: Record<string, string> = {};
      for (const part of parseMultipart(req.body, boundary)) fields[part.name] = part.filename !== undefined ? '<binary>' : part.content.toString('utf8');
      checkObject(fields, 'form');
    } else if (type === 'application/vnd.akeneo.collection+json') {
      req.text.split('\n').forEach((line, i) => checkObject(JSON.parse(line), `line ${i + 1}`));
    } else if (type === 'application/json') {
      const body = JSON.parse(req.text) as unknown;
      if (Array.isArray(body) && bodyParam.schema.type === 'array') checkObject(body, 'body');
      else checkObject(body, 'body');
    } else if (type === 'application/x-www-form-urlencoded') {
      checkObject(Object.fromEntries(new URLSearchParams(req.text)), 'form');
    } else {
      problems.push(`${where}: content type ${type || '(none)'} where a body is expected`);
    }
    return problems;
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile(relax(schema) as Schema);
      this.cache.set(key, v);
    }
    return v;
  }
}
