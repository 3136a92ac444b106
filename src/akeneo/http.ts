/**
 * The wire: one HTTP exchange on undici, with a hard timeout and errors turned into
 * AkeneoNetworkError. No retries, auth or limits here; transport.ts adds those.
 */
import { Agent, request } from 'undici';
import { AkeneoNetworkError } from './errors.js';

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** For error messages: the route template, never the concrete URL with its query. */
  label: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Errors raised before a single byte of the request could have reached the server. */
const BEFORE_SEND_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function createDispatcher(connections: number): Agent {
  // Keep connections alive: a TLS handshake per batch would eat into the latency budget.
  return new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, pipelining: 1 });
}

export async function sendRaw(dispatcher: Agent, req: RawRequest): Promise<RawResponse> {
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const res = await request(req.url, {
      dispatcher,
      method: req.method as 'GET',
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  } catch (err) {
    throw toNetworkError(err, req);
  }
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function toNetworkError(err: unknown, req: Pick<RawRequest, 'method' | 'label' | 'timeoutMs' | 'url'>): AkeneoNetworkError {
  if (err instanceof AkeneoNetworkError) return err;
  const name = (err as { name?: string } | undefined)?.name;
  const code = errorCode(err);
  const timedOut =
    name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT';
  let origin = req.url;
  try {
    origin = new URL(req.url).origin;
  } catch {
    /* keep the raw text; it is only used in the message */
  }
  const what = timedOut
    ? `no answer from ${origin} within ${req.timeoutMs} ms`
    : code === 'ECONNREFUSED'
      ? `connection to ${origin} refused`
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `host of ${origin} not found`
        : `network error talking to ${origin} (${code ?? (err instanceof Error ? err.message : String(err))})`;
  return new AkeneoNetworkError({
    message: what,
    method: req.method,
    path: req.label,
    code: code ?? (timedOut ? 'TIMEOUT' : undefined),
    timedOut,
    beforeSend: code !== undefined && BEFORE_SEND_CODES.has(code),
    cause: err,
  });
}

export function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
