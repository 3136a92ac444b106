/** Test helpers: a sandbox per suite and a tiny authenticated HTTP client. */
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const COLLECTION = 'application/vnd.akeneo.collection+json';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

export class Api {
  token = '';
  constructor(readonly sb: RunningSandbox) {}

  basic(): string {
    return `Basic ${Buffer.from(`${this.sb.clientId}:${this.sb.secret}`).toString('base64')}`;
  }

  async login(): Promise<string> {
    const r = await this.raw('POST', '/api/oauth/v1/token', {
      headers: { authorization: this.basic(), 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: this.sb.username, password: this.sb.password }),
    });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    this.token = r.json<{ access_token: string }>().access_token;
    return this.token;
  }

  async raw(method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer | Uint8Array } = {}): Promise<Res> {
    const res = await fetch(`${this.sb.url}${path}`, { method, headers: init.headers ?? {}, body: init.body as string | Uint8Array | undefined });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T,>() => JSON.parse(text) as T };
  }

  async call(method: string, path: string, body?: unknown, type = 'application/json'): Promise<Res> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = type;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    return this.raw(method, path, { headers, ...(payload !== undefined ? { body: payload } : {}) });
  }

  get(path: string): Promise<Res> {
    return this.call('GET', path);
  }
  ndjson(path: string, items: unknown[]): Promise<Res> {
    return this.call('PATCH', path, items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n'), COLLECTION);
  }
}

export async function openSandbox(options: SandboxOptions = {}): Promise<{ sb: RunningSandbox; api: Api }> {
  const sb = await startSandbox({ catalog: 'demo', ...options });
  const api = new Api(sb);
  await api.login();
  return { sb, api };
}

export const search = (s: unknown): string => encodeURIComponent(JSON.stringify(s));
