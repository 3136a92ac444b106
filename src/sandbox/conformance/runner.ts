/**
 * Replays the conformance cases against a sandbox loaded with the technical catalog:
 * reset before each case, setup calls, the request, then follow-ups, each response compared
 * with the case's expectations. Produces a pass/total summary with one reason per failure.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCases, type CaseRequest, type ConformanceCase, type Expected } from './cases.js';
import { compare } from './match.js';

export const PASS_THRESHOLD = 76;

/** What the harness needs from a running sandbox (a subset of RunningSandbox). */
export interface SandboxHandle {
  url: string;
  clientId: string;
  secret: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

export interface CaseResult {
  id: string;
  passed: boolean;
  /** One line per difference; empty when passed. */
  diffs: string[];
}

export interface ConformanceSummary {
  passed: number;
  total: number;
  ratio: number;
  failed: { id: string; reason: string }[];
}

export interface RunOptions {
  casesFile?: string;
  /** Only these case ids. */
  only?: string[];
  /**
   * Starts a sandbox with the technical catalog, as the given edition (cases with an `edition`
   * block); defaults to src/sandbox/index.ts's startSandbox.
   */
  start?: (edition?: CaseEdition, catalog?: string) => Promise<SandboxHandle>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const defaultCasesFile = path.resolve(repoRoot, '../shared/akeneo/conformance/cases.json');

export type CaseEdition = NonNullable<ConformanceCase['edition']>;

async function defaultStart(edition?: CaseEdition, catalog = 'technical'): Promise<SandboxHandle> {
  // Resolved at run time so the harness has no compile-time dependency on the server module.
  const specifier = '../index.js';
  const mod = (await import(specifier)) as { startSandbox?: (o: unknown) => Promise<SandboxHandle> };
  if (typeof mod.startSandbox !== 'function') throw new Error('src/sandbox/index.ts does not export startSandbox()');
  return mod.startSandbox({ catalog, port: 0, host: '127.0.0.1', limits: 'none', ...(edition ?? {}) });
}

interface Response {
  status: number;
  headers: Headers;
  text: string;
}

class Client {
  private token: string | undefined;
  constructor(private readonly sb: SandboxHandle) {}

  get base(): string {
    return this.sb.url.replace(/\/+$/, '');
  }

  substitute(s: string): string {
    const basic = Buffer.from(`${this.sb.clientId}:${this.sb.secret}`).toString('base64');
    const wrong = Buffer.from(`${this.sb.clientId}:not-the-secret`).toString('base64');
    return s
      .replaceAll('{base}', this.base)
      .replaceAll('{client_basic_auth}', basic)
      .replaceAll('{client_id_with_wrong_secret}', wrong);
  }

  async reset(): Promise<void> {
    const r = await fetch(`${this.base}/_sandbox/reset`, { method: 'POST', headers: { 'x-ferry-sandbox': '1' } });
    await r.arrayBuffer();
    if (r.status >= 300) throw new Error(`POST /_sandbox/reset answered ${r.status}`);
    this.token = undefined;
  }

  private async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const basic = Buffer.from(`${this.sb.clientId}:${this.sb.secret}`).toString('base64');
    const r = await fetch(`${this.base}/api/oauth/v1/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${basic}` },
      body: JSON.stringify({ grant_type: 'password', username: this.sb.username, password: this.sb.password }),
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`token request answered ${r.status}: ${text.slice(0, 200)}`);
    const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string') throw new Error('token response has no access_token');
    this.token = token;
    return token;
  }

  async send(req: CaseRequest): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = this.substitute(v);
    const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
    if (!hasAuth && !req.path.startsWith('/api/oauth/')) headers.Authorization = `Bearer ${await this.accessToken()}`;
    let body: string | undefined;
    if (req.raw_body !== undefined) body = this.substitute(req.raw_body);
    else if (req.body !== undefined) body = JSON.stringify(req.body);
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.base + encodePath(req.path), { method: req.method, headers, body });
    return { status: r.status, headers: r.headers, text: await r.text() };
  }
}

/** The cases write query strings unencoded (JSON in `search`); encode each name and value. */
function encodePath(p: string): string {
  const q = p.indexOf('?');
  if (q < 0) return p;
  const query = p
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const i = part.indexOf('=');
      if (i < 0) return encodeURIComponent(part);
      return `${encodeURIComponent(part.slice(0, i))}=${encodeURIComponent(part.slice(i + 1))}`;
    })
    .join('&');
  return p.slice(0, q + 1) + query;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function headerValue(h: Headers, name: string): string | null {
  return h.get(name);
}

/** Checks one response against one expectation block. */
export function checkResponse(expected: Expected, res: Response, substitute: (s: string) => string, label: string): string[] {
  const diffs: string[] = [];
  const excerpt = res.text.length > 400 ? `${res.text.slice(0, 400)}…` : res.text;
  if (res.status !== expected.status) {
    diffs.push(`${label}: status ${res.status}, expected ${expected.status} (body ${excerpt || '<empty>'})`);
    return diffs;
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const want = substitute(value);
    const got = headerValue(res.headers, name);
    const same =
      name.toLowerCase() === 'content-type'
        ? (got ?? '').split(';')[0]?.trim().toLowerCase() === want.toLowerCase()
        : got === want;
    if (!same) diffs.push(`${label}: header ${name} is ${got === null ? 'absent' : JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  if (expected.body_empty && res.text !== '') diffs.push(`${label}: body should be empty, got ${excerpt}`);
  if (expected.raw_body !== undefined && res.text !== substitute(expected.raw_body)) {
    diffs.push(`${label}: raw body differs:\n  expected ${substitute(expected.raw_body)}\n  actual   ${res.text}`);
  }
  const needsJson =
    expected.body !== undefined ||
    expected.body_keys !== undefined ||
    expected.body_absent_keys !== undefined ||
    expected.items_key_sequence !== undefined ||
    expected.links_query !== undefined ||
    expected.item_links !== undefined;
  let body: unknown;
  if (needsJson) {
    const parsed = parseJson(res.text);
    if (!parsed.ok) {
      diffs.push(`${label}: body is not JSON: ${excerpt}`);
      return diffs;
    }
    body = parsed.value;
  }
  if (expected.body !== undefined) {
    const want = JSON.parse(substitute(JSON.stringify(expected.body))) as unknown;
    for (const d of compare(want, body, expected.match ?? 'exact')) diffs.push(`${label}: ${d}`);
  }
  const obj = (body ?? {}) as Record<string, unknown>;
  for (const k of expected.body_keys ?? []) if (!(k in obj)) diffs.push(`${label}: body has no key "${k}"`);
  for (const k of expected.body_absent_keys ?? []) if (k in obj) diffs.push(`${label}: body should not have key "${k}"`);
  const items = ((obj._embedded as { items?: unknown } | undefined)?.items ?? undefined) as Record<string, unknown>[] | undefined;
  if (expected.items_key_sequence) {
    const { key, values } = expected.items_key_sequence;
    const got = Array.isArray(items) ? items.map((i) => i?.[key]) : undefined;
    if (JSON.stringify(got) !== JSON.stringify(values)) {
      diffs.push(`${label}: _embedded.items[*].${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(values)}`);
    }
  }
  if (expected.item_links) {
    for (const [name, template] of Object.entries(expected.item_links)) {
      for (const [i, item] of (items ?? []).entries()) {
        const href = substitute(template).replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(item?.[k] ?? '')));
        const got = (item?._links as Record<string, { href?: string }> | undefined)?.[name]?.href;
        if (got !== href) diffs.push(`${label}: item ${i} _links.${name}.href is ${JSON.stringify(got)}, expected ${JSON.stringify(href)}`);
      }
    }
  }
  if (expected.links_query) {
    const links = (obj._links ?? {}) as Record<string, { href?: string }>;
    for (const [name, params] of Object.entries(expected.links_query)) {
      const href = links[name]?.href;
      if (!href) {
        diffs.push(`${label}: no _links.${name}`);
        continue;
      }
      const q = new URL(href).searchParams;
      for (const [p, v] of Object.entries(params)) {
        if (q.get(p) !== v) diffs.push(`${label}: _links.${name} query ${p}=${JSON.stringify(q.get(p))}, expected ${JSON.stringify(v)}`);
      }
    }
  }
  if (expected.ndjson) {
    const lines = res.text.split('\n').filter((l) => l !== '');
    if (lines.length !== expected.ndjson.length) {
      diffs.push(`${label}: ${lines.length} NDJSON lines, expected ${expected.ndjson.length}: ${excerpt}`);
    } else {
      expected.ndjson.forEach((want, i) => {
        const parsed = parseJson(lines[i] ?? '');
        if (!parsed.ok) diffs.push(`${label}: NDJSON line ${i + 1} is not JSON: ${lines[i]}`);
        else for (const d of compare(want, parsed.value, 'exact')) diffs.push(`${label}: line ${i + 1}: ${d}`);
      });
    }
  }
  return diffs;
}

async function runCase(client: Client, c: ConformanceCase): Promise<CaseResult> {
  const diffs: string[] = [];
  await client.reset();
  for (const [i, step] of c.setup.entries()) {
    const res = await client.send(step);
    if (step.expect_status !== undefined && res.status !== step.expect_status) {
      const excerpt = res.text.length > 300 ? `${res.text.slice(0, 300)}…` : res.text;
      diffs.push(
        `setup ${i + 1} (${step.method} ${step.path}): status ${res.status}, expected ${step.expect_status} (body ${excerpt || '<empty>'})`,
      );
      return { id: c.id, passed: false, diffs };
    }
  }
  const sub = (s: string) => client.substitute(s);
  diffs.push(...checkResponse(c.expected, await client.send(c.request), sub, `${c.request.method} ${c.request.path}`));
  for (const [i, f] of (c.followup ?? []).entries()) {
    diffs.push(...checkResponse(f.expected, await client.send(f.request), sub, `followup ${i + 1} ${f.request.method} ${f.request.path}`));
  }
  return { id: c.id, passed: diffs.length === 0, diffs };
}

export async function runConformance(options: RunOptions = {}): Promise<{ summary: ConformanceSummary; results: CaseResult[] }> {
  const all = await loadCases(options.casesFile ?? defaultCasesFile);
  const cases = options.only && options.only.length > 0 ? all.filter((c) => options.only?.includes(c.id)) : all;
  // One sandbox per edition and catalog the cases ask for (Akeneo's own: technical, default SaaS).
  const groups = new Map<string, ConformanceCase[]>();
  for (const c of cases) {
    const key = JSON.stringify([c.edition ?? null, c.catalog ?? 'technical']);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const outcome = new Map<string, CaseResult>();
  for (const [key, group] of groups) {
    const [edition, catalog] = JSON.parse(key) as [CaseEdition | null, string];
    const sandbox = await (options.start ?? defaultStart)(edition ?? undefined, catalog);
    const client = new Client(sandbox);
    try {
      for (const c of group) {
        try {
          outcome.set(c.id, await runCase(client, c));
        } catch (e) {
          outcome.set(c.id, { id: c.id, passed: false, diffs: [`harness error: ${(e as Error).message}`] });
        }
      }
    } finally {
      await sandbox.close();
    }
  }
  const results: CaseResult[] = cases.map((c) => outcome.get(c.id)!);
  const passed = results.filter((r) => r.passed).length;
  return {
    summary: {
      passed,
      total: results.length,
      ratio: results.length === 0 ? 0 : Math.round((passed / results.length) * 10000) / 10000,
      failed: results.filter((r) => !r.passed).map((r) => ({ id: r.id, reason: r.diffs.slice(0, 3).join(' | ') })),
    },
    results,
  };
}
