/**
 * The one way the Console talks to `ferry serve`: same-origin fetch with the session cookie,
 * the CSRF token on every state-changing request, answers parsed with the shared zod schemas,
 * and errors turned into a sentence Julia can read.
 */
import type { z } from 'zod';
import { CSRF_HEADER, errorBodySchema } from '../../../src/server/api/contract.js';

let csrfToken: string | null = null;

/** Remember the CSRF token the server handed out with the session. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** The answer's body as sent (a 422's `errors`, a 409's `currentVersion`). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions<S extends z.ZodType | undefined> {
  method?: Method;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null | readonly string[]>;
  schema?: S;
  signal?: AbortSignal;
}

/** `/api/v1/runs` + `{ status: 'failed', page: 2 }` → `/api/v1/runs?status=failed&page=2` (empty values left out). */
export function withQuery(path: string, query?: RequestOptions<undefined>['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function api<S extends z.ZodType | undefined = undefined>(
  path: string,
  options: RequestOptions<S> = {},
): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'Ferry is not answering. Check that `ferry serve` is still running, then try again.');
  }
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : null;
  if (!response.ok) throw errorFrom(response.status, json);
  if (options.schema) return options.schema.parse(json) as never;
  return json as never;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(body);
  const message = parsed.success ? parsed.data.error.message : '';
  const field = parsed.success ? parsed.data.error.field : undefined;
  if (status === 401) return new ApiError(status, message || 'Please sign in again.', field);
  if (status === 403) return new ApiError(status, message || 'Your role does not allow this. Ask an administrator.', field);
  if (status === 429) return new ApiError(status, message || 'Too many attempts. Wait a minute and try again.', field);
  return new ApiError(status, message || `Ferry answered with an error (HTTP ${status}).`, field, body);
}
