/**
 * What the generated forms need to know about a JSON Schema (the server's z.toJSONSchema of each
 * config section): which input a field gets, which fields are required and empty, which keys are
 * secrets (write-only: typed values go to the secrets file, never shown back). Pure, so the rules
 * are tested without a browser.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  format?: string;
  minimum?: number;
  maximum?: number;
  additionalProperties?: unknown;
}

export type FieldKind = 'text' | 'secret' | 'number' | 'boolean' | 'select' | 'list' | 'object' | 'json' | 'const';

/** The keys ferry.yaml treats as secrets (src/logging.ts isConfigSecretKey says the same for the server). */
const SECRET_KEY = /^(password|secret|token|clientSecret|client_secret|apiKey|api_key|accessToken|refreshToken|webhookSecret|signingSecret|passphrase|privateKey)$/i;

export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** A value that is a reference (`${ENV}`, `${secret:NAME}`) or the server's mask: something is stored, not shown. */
export function isStoredSecret(value: unknown): boolean {
  return typeof value === 'string' && (value === '********' || /^\s*\$\{[^}]+\}\s*$/.test(value));
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

export function fieldKind(name: string, schema: JsonSchema): FieldKind {
  if (schema.const !== undefined) return 'const';
  if (schema.enum) return 'select';
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    // A string or a structure (a URL or an object): the string is what a form can take.
    const simple = branches.filter((b) => b.type !== 'null');
    if (simple.length === 1) return fieldKind(name, simple[0]!);
    if (simple.every((b) => b.const !== undefined || b.enum)) return 'select';
    return simple.some((b) => typeOf(b) === 'string') ? (isSecretKey(name) ? 'secret' : 'text') : 'json';
  }
  const t = typeOf(schema);
  if (t === 'string') return isSecretKey(name) ? 'secret' : 'text';
  if (t === 'number' || t === 'integer') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'array') return schema.items && ['string', 'number', 'integer'].includes(typeOf(schema.items) ?? '') ? 'list' : 'json';
  if (t === 'object') return schema.properties && Object.keys(schema.properties).length > 0 && !schema.additionalProperties ? 'object' : 'json';
  return 'json';
}

/** The choices of a select: an enum, or a union of constants. */
export function choicesOf(schema: JsonSchema): string[] {
  if (schema.enum) return schema.enum.map(String);
  const branches = schema.anyOf ?? schema.oneOf ?? [];
  return branches.flatMap((b) => (b.const !== undefined ? [String(b.const)] : b.enum ? b.enum.map(String) : []));
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * Key paths (inside the section) of required fields left empty. A secret counts as filled when
 * one is stored or typed; an optional object is only checked when it has a value.
 */
export function missingRequired(schema: JsonSchema, value: Record<string, unknown> | undefined, typed: Record<string, string> = {}, prefix = ''): string[] {
  const out: string[] = [];
  const props = schema.properties ?? {};
  const v = value ?? {};
  for (const key of schema.required ?? []) {
    const sub = props[key];
    if (!sub || sub.const !== undefined || sub.default !== undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isEmpty(v[key]) && !(typed[path] ?? '')) out.push(path);
  }
  for (const [key, sub] of Object.entries(props)) {
    const child = v[key];
    if (fieldKind(key, sub) === 'object' && child && typeof child === 'object') out.push(...missingRequired(sub, child as Record<string, unknown>, typed, prefix ? `${prefix}.${key}` : key));
  }
  return out;
}

/** Fields a person fills in first (required, or without a default), then the rest ("More settings"). */
export function splitFields(schema: JsonSchema): { main: string[]; more: string[] } {
  const required = new Set(schema.required ?? []);
  const main: string[] = [];
  const more: string[] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (sub.const !== undefined) continue;
    const kind = fieldKind(key, sub);
    if (required.has(key) || (sub.default === undefined && kind !== 'json' && kind !== 'object' && kind !== 'boolean')) main.push(key);
    else more.push(key);
  }
  return { main, more };
}

const ACRONYMS: Record<string, string> = { url: 'URL', http: 'HTTP', https: 'HTTPS', csrf: 'CSRF', ssl: 'SSL', tls: 'TLS', sql: 'SQL', id: 'ID', ms: '(ms)' };

/** `url` → "URL", `clientId` → "Client ID", `connectTimeoutMs` → "Connect timeout (ms)". */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ')
    .map((w) => ACRONYMS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Drops the fields the person left empty, so the file only gets what was filled in. */
export function compact(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isEmpty(v)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = compact(v as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}
