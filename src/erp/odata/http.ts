/**
 * The HTTP side of the OData adapter (undici): authentication (Basic, OAuth 2.0 client
 * credentials with a cached token renewed on expiry or on a 401), 429/503 retried after the
 * server's Retry-After, and failures turned into ErpErrors that name the URL and the fix —
 * never the password, secret or token. Writes (POST, PATCH) follow SAP's CSRF protocol when
 * asked: a GET with `x-csrf-token: fetch` hands out a token bound to the session cookies it sets;
 * both go with every write, and a 403 `x-csrf-token: Required` (the session timed out) fetches a
 * new token once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { ErpError } from '../port.js';
import type { OdataConfig } from './config.js';

export interface HttpStats {
  requests: number;
  retries: number;
  /** Milliseconds spent waiting for responses (headers and body). */
  waitMs: number;
  tokenFetches: number;
  /** CSRF tokens fetched for writes (SAP). */
  csrfFetches: number;
}

interface Token {
  value: string;
  expiresAt: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Drops credentials and query from a URL before it goes into a message. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class OdataHttp {
  readonly stats: HttpStats = { requests: 0, retries: 0, waitMs: 0, tokenFetches: 0, csrfFetches: 0 };
  private readonly agent: Agent;
  private token: Token | null = null;
  private csrf: { token: string; cookies: string } | null = null;

  constructor(
    private readonly config: OdataConfig,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => delay(ms),
  ) {
    this.agent = new Agent({ connections: 4, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  }

  /** Who we are, for messages: the user or client id, never the secret. */
  principal(): string {
    const a = this.config.auth;
    return a.kind === 'basic' ? `user ${a.username}` : a.kind === 'oauth2' ? `client ${a.clientId}` : 'anonymous access';
  }

  private async authorization(renew: boolean): Promise<string | null> {
    const a = this.config.auth;
    if (a.kind === 'none') return null;
    if (a.kind === 'basic') return `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    if (renew || !this.token || this.token.expiresAt <= Date.now()) this.token = await this.fetchToken();
    return `Bearer ${this.token.value}`;
  }

  private async fetchToken(): Promise<Token> {
    const a = this.config.auth;
    if (a.kind !== 'oauth2') throw new Error('no token endpoint');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret });
    if (a.scope) form.set('scope', a.scope);
    this.stats.tokenFetches++;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(a.tokenUrl, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
    } catch (error) {
      throw new ErpError(`OAuth token endpoint ${safeUrl(a.tokenUrl)} is unreachable: ${(error as Error).message}`, 'unreachable', { cause: error });
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new ErpError(
        `OAuth token endpoint ${safeUrl(a.tokenUrl)} refused client ${a.clientId} (HTTP ${res.statusCode}); check erp.auth.clientId, clientSecret and scope`,
        'auth',
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ErpError(`OAuth token endpoint ${safeUrl(a.tokenUrl)} answered without JSON`, 'protocol');
    }
    if (typeof body.access_token !== 'string') throw new ErpError(`OAuth token endpoint ${safeUrl(a.tokenUrl)} sent no access_token`, 'protocol');
    const seconds = Number(body.expires_in ?? 3600);
    // Renew a little early, so a token never expires between our check and the server's.
    return { value: body.access_token, expiresAt: Date.now() + Math.max(0, (Number.isFinite(seconds) ? seconds : 3600) - 30) * 1000 };
  }

  /** GET with auth and retries; returns any final status for the caller to judge (404 means different things). */
  async get(url: string, accept: string): Promise<HttpResponse> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(false);
      const headers: Record<string, string> = { accept };
      if (auth) headers.authorization = auth;
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      let text: string;
      try {
        this.stats.requests++;
        res = await request(url, { method: 'GET', headers, dispatcher: this.agent });
        text = await res.body.text();
      } catch (error) {
        this.stats.waitMs += performance.now() - started;
        if (attempt < this.config.maxRetries && isTransient(error)) {
          this.stats.retries++;
          await this.sleep(backoff(attempt));
          continue;
        }
        const u = new URL(url);
        throw new ErpError(`OData server ${u.host} is unreachable (${(error as Error).message}); check erp.url`, 'unreachable', { cause: error });
      }
      this.stats.waitMs += performance.now() - started;
      if (res.statusCode === 429 || res.statusCode === 503) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? backoff(attempt);
        if (attempt >= this.config.maxRetries || wait > this.config.maxRetryAfterSeconds * 1000) {
          throw new ErpError(
            `OData server ${safeUrl(url)} answered ${res.statusCode} ${res.statusCode === 429 ? '(too many requests)' : '(unavailable)'} after ${attempt + 1} attempts` +
              `${wait > this.config.maxRetryAfterSeconds * 1000 ? `; it asks to wait ${Math.round(wait / 1000)} s, more than erp.maxRetryAfterSeconds` : ''}`,
            'unreachable',
          );
        }
        this.stats.retries++;
        await this.sleep(wait);
        continue;
      }
      if (res.statusCode === 401 && this.config.auth.kind === 'oauth2' && !renewed) {
        // An expired or revoked token: fetch a new one once, then give up.
        renewed = true;
        this.token = null;
        continue;
      }
      if (res.statusCode === 401 || res.statusCode === 403) {
        throw new ErpError(
          `OData server ${safeUrl(url)} refused ${this.principal()} (HTTP ${res.statusCode}); check erp.auth` +
            (res.statusCode === 403 ? ' and the user\'s authorisations for this service' : ''),
          'auth',
        );
      }
      return { status: res.statusCode, headers: res.headers, text };
    }
  }

  /** SAP: a CSRF token and the session cookies it is bound to, from a GET on `url` (the service's $metadata). */
  private async fetchCsrf(url: string): Promise<{ token: string; cookies: string }> {
    const auth = await this.authorization(false);
    const headers: Record<string, string> = { accept: 'application/xml', 'x-csrf-token': 'fetch' };
    if (auth) headers.authorization = auth;
    this.stats.csrfFetches++;
    this.stats.requests++;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers, dispatcher: this.agent });
      await res.body.text();
    } catch (error) {
      throw new ErpError(`OData server ${new URL(url).host} is unreachable (${(error as Error).message}); check erp.url`, 'unreachable', { cause: error });
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new ErpError(`OData server ${safeUrl(url)} refused ${this.principal()} (HTTP ${res.statusCode}) when asked for a CSRF token; check erp.auth and the user's authorisations`, 'auth');
    }
    const token = res.headers['x-csrf-token'];
    if (typeof token !== 'string' || token === '' || token.toLowerCase() === 'required') {
      throw new ErpError(`OData server ${safeUrl(url)} gave no CSRF token (x-csrf-token: fetch answered HTTP ${res.statusCode}); if the service needs none, set erp.csrf: false`, 'protocol');
    }
    const setCookie = res.headers['set-cookie'];
    const cookies = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]!.trim()).filter(Boolean).join('; ');
    return { token, cookies };
  }

  /**
   * A write (POST, PATCH) with auth, the CSRF token when `csrfUrl` is given, and retries on
   * 429/503 (the server did not process the request). Returns any other status for the caller.
   */
  async send(method: 'POST' | 'PATCH', url: string, body: unknown, opts: { csrfUrl?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    let renewed = false;
    let csrfRenewed = false;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(false);
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json', ...opts.headers };
      if (auth) headers.authorization = auth;
      if (opts.csrfUrl) {
        this.csrf ??= await this.fetchCsrf(opts.csrfUrl);
        headers['x-csrf-token'] = this.csrf.token;
        if (this.csrf.cookies) headers.cookie = this.csrf.cookies;
      }
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      let text: string;
      try {
        this.stats.requests++;
        res = await request(url, { method, headers, body: JSON.stringify(body), dispatcher: this.agent });
        text = await res.body.text();
      } catch (error) {
        this.stats.waitMs += performance.now() - started;
        throw new ErpError(`OData server ${new URL(url).host} is unreachable (${(error as Error).message}); check erp.url`, 'unreachable', { cause: error });
      }
      this.stats.waitMs += performance.now() - started;
      if ((res.statusCode === 429 || res.statusCode === 503) && attempt < this.config.maxRetries) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? backoff(attempt);
        if (wait <= this.config.maxRetryAfterSeconds * 1000) {
          this.stats.retries++;
          await this.sleep(wait);
          continue;
        }
      }
      const csrfHeader = res.headers['x-csrf-token'];
      if (res.statusCode === 403 && opts.csrfUrl && typeof csrfHeader === 'string' && csrfHeader.toLowerCase() === 'required' && !csrfRenewed) {
        // The token expired with its session: fetch a new one, once.
        csrfRenewed = true;
        this.csrf = null;
        continue;
      }
      if (res.statusCode === 401 && this.config.auth.kind === 'oauth2' && !renewed) {
        renewed = true;
        this.token = null;
        continue;
      }
      if (res.statusCode === 401 || (res.statusCode === 403 && !(typeof csrfHeader === 'string' && csrfHeader.toLowerCase() === 'required'))) {
        throw new ErpError(`OData server ${safeUrl(url)} refused ${this.principal()} (HTTP ${res.statusCode}) for a ${method}; check erp.auth and the user's authorisations to write`, 'auth');
      }
      if (res.statusCode === 403) {
        throw new ErpError(`OData server ${safeUrl(url)} refused the CSRF token twice (HTTP 403, x-csrf-token: Required); check that the server keeps the session cookies it sets`, 'auth');
      }
      return { status: res.statusCode, headers: res.headers, text };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code);
}

function backoff(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** attempt);
}
