/**
 * One Akeneo call, done carefully: auth header, governor (concurrency + rate), bounded
 * retries of what is safe to repeat, a single token refresh + replay on 401, an event per
 * attempt, and failures turned into typed errors.
 */
import { z } from 'zod';
import { FormData, Response, type Agent } from 'undici';
import { AkeneoAuthError, AkeneoError, AkeneoNetworkError, CERTIFICATE_CODES } from './errors.js';
import type { ClientStats, RequestEventListener } from './events.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalGovernor, type CallGovernor } from './governor.js';
import { headerValue, sendRaw, type RawResponse } from './http.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './retry.js';
import type { ValidationErrorItem } from './model.js';
import { FERRY_VERSION } from '../version.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export type CallBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'ndjson'; lines: string[] }
  | { kind: 'form'; fields: Record<string, string> }
  | { kind: 'multipart'; parts: MultipartPart[] };

export type MultipartPart =
  | { name: string; value: string }
  | { name: string; filename: string; content: Buffer; contentType?: string };

export interface CallSpec {
  method: HttpMethod;
  /** Route template with `{name}` placeholders, e.g. `/api/rest/v1/products-uuid/{uuid}`. */
  route: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  /** An absolute URL to call instead of route+params+query (pagination `next` links). */
  url?: string;
  body?: CallBody;
  /** Safe to send twice? Defaults to true for everything but POST. */
  idempotent?: boolean;
  /** Send the bearer token (default true). */
  auth?: boolean;
  /** Extra headers (Authorization for the token call). */
  headers?: Record<string, string>;
  /** Draw from the attribute-option write budget as well (3/s on SaaS). */
  optionWrite?: boolean;
  /** Send on this connection (index into the token sources): a connection's own token request. */
  connection?: number;
  /** Statuses returned to the caller instead of thrown (e.g. 404 when probing, 413 to split a batch). */
  allow?: readonly number[];
  /** Turns an error answer into a more specific error (token endpoint). */
  mapError?: (err: AkeneoError) => AkeneoError;
}

export interface CallResult {
  status: number;
  /**
   * The call was sent again after an attempt the PIM may have processed (a 5xx, or no answer once
   * sent): a write answered "updated" may be the PIM finding what that attempt wrote.
   */
  resent?: boolean;
  headers: RawResponse['headers'];
  body: Buffer;
  header(name: string): string | undefined;
  text(): string;
  json(): unknown;
}

export interface TokenSource {
  readonly kind: 'connection' | 'app';
  token(): Promise<string>;
  /** The token in hand when it is still valid, without any request (undefined: call token()). */
  current(): string | undefined;
  /** The token was refused (401): forget it so the next token() fetches a fresh one. */
  invalidate(token: string): void;
}

export interface TransportOptions {
  baseUrl: string;
  dispatcher: Agent;
  timeoutMs: number;
  concurrency: number;
  requestsPerSecond: number;
  optionWritesPerSecond: number;
  maxRetries: number;
  /** Decides when each call may go and on which connection; the in-process one by default. */
  governor?: CallGovernor;
  onEvent?: RequestEventListener;
  /** Known secrets to scrub from any text that leaves the client. */
  secrets?: readonly string[];
  /** Backoff base (ms); tests shorten it. */
  backoffBaseMs?: number;
  userAgent?: string;
}

const errorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  errors: z.array(z.looseObject({ message: z.string() })).optional(),
  _links: z.looseObject({ documentation: z.looseObject({ href: z.string() }).optional() }).optional(),
});

export function expandRoute(route: string, params: Record<string, string> = {}): string {
  return route.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route ${route}: missing parameter ${name}`);
    // Media codes contain slashes that Akeneo expects verbatim; encode everything else.
    return name === 'file_path' || name === 'media_code' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class Transport {
  readonly governor: CallGovernor;
  private tokens: TokenSource[] = [];
  readonly stats: ClientStats = { total: 0, writes: 0, retried: 0, throttled: 0 };
  readonly base!: URL;

  constructor(readonly options: TransportOptions) {
    try {
      this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    } catch {
      throw new AkeneoError({ message: `pim.url "${options.baseUrl}" is not a URL; write it like https://acme.cloud.akeneo.com` });
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new AkeneoError({ message: `pim.url "${options.baseUrl}" must start with https:// (or http:// for a local PIM)` });
    }
    this.governor =
      options.governor ??
      new LocalGovernor({
        connections: 1,
        perConnection: options.concurrency,
        instance: options.concurrency,
        requestsPerSecond: options.requestsPerSecond,
        optionWritesPerSecond: options.optionWritesPerSecond,
      });
  }

  /** One token source per connection, in the order the governor numbers them. */
  setTokenSources(tokens: TokenSource[]): void {
    this.tokens = tokens;
  }

  /** The absolute URL of a route (base URL may carry a path prefix). */
  urlFor(route: string, params?: Record<string, string>, query?: Record<string, QueryValue>): string {
    const path = expandRoute(route, params).replace(/^\//, '');
    return new URL(path, this.base).toString() + buildQuery(query);
  }

  /**
   * A `_links.*.href` from Akeneo, followed as given; only when it points to another origin
   * (a PIM behind a proxy that mis-reports its host) do we keep its path and query but send
   * it to the configured origin, so the bearer token never leaves for a foreign host.
   */
  resolveLink(href: string): string {
    const link = new URL(href, this.base);
    if (link.origin === this.base.origin) return link.toString();
    return new URL(link.pathname + link.search, this.base.origin).toString();
  }

  async call(spec: CallSpec): Promise<CallResult> {
    const url = spec.url ? this.resolveLink(spec.url) : this.urlFor(spec.route, spec.params, spec.query);
    // Errors name the concrete path (which product, which attribute) without the query string;
    // events keep the route template so they aggregate.
    const path = safeDecode(new URL(url).pathname);
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    const useAuth = spec.auth ?? true;
    const { body, contentType, lines } = await encodeBody(spec.body);
    let replayed401 = false;
    let backoffMs = 0;
    let mayHaveBeenProcessed = false;

    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'User-Agent': this.options.userAgent ?? `ferry/${FERRY_VERSION}`,
        ...spec.headers,
      };
      if (contentType) headers['Content-Type'] = contentType;
      // An empty value removes a default header (downloads send no Accept: Akeneo answers 406 to
      // anything but application/json on JSON routes, and a file is not JSON).
      for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
      let token: string | undefined;
      let tokens: TokenSource | undefined;
      let waitMs = backoffMs;
      let permit = await this.governor.acquire({ optionWrite: spec.optionWrite === true, connection: spec.connection });
      waitMs += permit.waitMs;
      if (useAuth) {
        tokens = this.tokens[permit.connection];
        if (!tokens) {
          permit.release();
          throw new Error(`Transport: no token source for connection ${permit.connection}`);
        }
        token = tokens.current();
        if (token === undefined) {
          // The token request needs a slot of its own: never wait for it while holding one (all
          // slots held by callers waiting for tokens would wait forever). Free the slot, get the
          // token, then take a slot on that same connection again.
          permit.release();
          token = await tokens.token();
          permit = await this.governor.acquire({ optionWrite: false, connection: permit.connection });
          waitMs += permit.waitMs;
        }
        headers.Authorization = `Bearer ${token}`;
      }
      const connection = permit.connection;
      const concurrencyLimit = this.governor.limit;
      let response: RawResponse | undefined;
      let failure: AkeneoNetworkError | undefined;
      let durationMs: number;
      try {
        this.stats.total++;
        if (spec.method !== 'GET') this.stats.writes++;
        if (attempt > 1) this.stats.retried++;
        const sendStart = performance.now();
        try {
          response = await sendRaw(this.options.dispatcher, {
            method: spec.method,
            url,
            headers,
            body,
            timeoutMs: this.options.timeoutMs,
            label: path,
          });
        } catch (err) {
          failure = err instanceof AkeneoNetworkError ? err : new AkeneoNetworkError({ message: String(err), method: spec.method, path });
        }
        durationMs = performance.now() - sendStart;
      } finally {
        permit.release();
      }

      const status = response?.status;
      if (status !== undefined) this.answered = true;
      const canRetry = attempt <= this.options.maxRetries;
      let retryInMs: number | undefined;
      let retryReason: 'throttled' | 'transient' | 'auth' | undefined;

      if (status === 401 && useAuth && !replayed401 && token !== undefined) {
        // The token expired or was revoked: one fresh token, one replay.
        tokens!.invalidate(token);
        replayed401 = true;
        retryReason = 'auth';
        retryInMs = 0;
      } else if (status !== undefined && isRetryableStatus(status) && !(spec.allow ?? []).includes(status)) {
        if (status === 429) {
          this.stats.throttled++;
          this.governor.onThrottled(connection);
        }
        // A 429 means the call was refused before any processing, so even a POST is safe to resend.
        if (canRetry && (idempotent || status === 429)) {
          retryReason = status === 429 ? 'throttled' : 'transient';
          retryInMs = parseRetryAfter(headerValue(response!.headers, 'retry-after')) ?? this.backoff(attempt);
        }
      } else if (failure) {
        // Until the PIM has answered once, "refused", "host not found" or a connect timeout mean
        // a wrong pim.url or a PIM that is down: say so at once rather than after minutes of
        // retries. Once it has answered, the same failure is a restart or a blip: retried.
        const firstContactFailure = !this.answered && UNREACHABLE_CODES.has(failure.code ?? '');
        // An untrusted certificate stays untrusted however often it is asked: said at once.
        const certificate = CERTIFICATE_CODES.has(failure.code ?? '');
        if (canRetry && (idempotent || failure.beforeSend) && !firstContactFailure && !certificate) {
          retryReason = 'transient';
          retryInMs = this.backoff(attempt);
        }
      } else if (status !== undefined) {
        // Any answer that is not a throttle or a failure (404 included) shows the PIM keeps up.
        this.governor.onSuccess(connection);
      }

      this.emit({
        method: spec.method,
        route: spec.route,
        status,
        durationMs: round(durationMs),
        attempt,
        waitMs: round(waitMs),
        retryInMs,
        error: failure?.code,
        lines,
        concurrencyLimit,
      });

      if (retryReason !== undefined) {
        if (retryReason === 'transient' && ((status !== undefined && status >= 500) || (failure && !failure.beforeSend))) mayHaveBeenProcessed = true;
        backoffMs = retryInMs ?? 0;
        if (backoffMs > 0) await sleep(backoffMs);
        continue;
      }
      if (failure) throw failure;
      const res = response!;
      if (res.status < 400 || (spec.allow ?? []).includes(res.status)) return { ...toResult(res, spec.method, path), ...(mayHaveBeenProcessed ? { resent: true } : {}) };
      let err = this.errorFrom(res, spec.method, path);
      if (res.status === 401 && useAuth) {
        // Still refused after a fresh token: the credentials themselves are no longer valid.
        err = new AkeneoAuthError({
          status: 401,
          message: `the PIM refused a freshly obtained token (${err.message})`,
          method: spec.method,
          path,
          problem: tokens?.kind === 'app' ? 'token' : 'unknown',
        });
      }
      throw spec.mapError ? spec.mapError(err) : err;
    }
  }

  /** Whether the PIM has answered any call yet (see the retry of network failures above). */
  private answered = false;

  private backoff(attempt: number): number {
    return backoffDelay(attempt, this.options.backoffBaseMs ?? 1000);
  }

  private emit(event: Parameters<RequestEventListener>[0]): void {
    if (!this.options.onEvent) return;
    try {
      this.options.onEvent(event);
    } catch {
      // A faulty listener must never break a call.
    }
  }

  /** Builds the typed error of an error answer. */
  errorFrom(res: RawResponse, method: string, path: string): AkeneoError {
    const text = res.body.toString('utf8');
    let message = `HTTP ${res.status}`;
    let errors: ValidationErrorItem[] | undefined;
    let documentation: string | undefined;
    try {
      const parsed = errorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        message = parsed.data.message ?? parsed.data.error_description ?? parsed.data.error ?? message;
        errors = parsed.data.errors as ValidationErrorItem[] | undefined;
        documentation = parsed.data._links?.documentation?.href;
      }
    } catch {
      // Not JSON (a proxy's HTML page): keep a short, printable excerpt.
      const excerpt = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
      if (excerpt) message = `HTTP ${res.status}: ${excerpt}`;
    }
    for (const s of this.options.secrets ?? []) if (s && s.length >= 3) message = message.split(s).join('[redacted]');
    return new AkeneoError({ status: res.status, message, errors, method, path, documentation });
  }
}

/** Network failures that, before any answer, mean the PIM cannot be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function safeDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

async function encodeBody(body: CallBody | undefined): Promise<{ body?: string | Buffer; contentType?: string; lines?: number }> {
  if (!body) return {};
  switch (body.kind) {
    case 'json':
      return { body: JSON.stringify(body.value), contentType: 'application/json' };
    case 'ndjson':
      return { body: body.lines.join('\n'), contentType: 'application/vnd.akeneo.collection+json', lines: body.lines.length };
    case 'form':
      return { body: new URLSearchParams(body.fields).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'multipart': {
      // undici's FormData writes the parts; the body is buffered once so a retry resends the same bytes.
      const form = new FormData();
      for (const part of body.parts) {
        if ('filename' in part) form.append(part.name, new Blob([part.content], { type: part.contentType ?? 'application/octet-stream' }), part.filename);
        else form.append(part.name, part.value);
      }
      const encoded = new Response(form);
      return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? undefined };
    }
  }
}

function toResult(res: RawResponse, method: string, path: string): CallResult {
  return {
    status: res.status,
    headers: res.headers,
    body: res.body,
    header: (name) => headerValue(res.headers, name),
    text: () => res.body.toString('utf8'),
    json: () => {
      const text = res.body.toString('utf8');
      if (text.length === 0) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        throw new AkeneoError({ status: res.status, message: 'the PIM answered with a body that is not JSON (a proxy in the way?)', method, path });
      }
    },
  };
}
