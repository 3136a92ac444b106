/**
 * Driver errors → ErpError a user can act on: an unreachable server names host and port, a
 * refused login names the user, a missing database names it. Passwords never appear.
 */
import { scrubSecrets } from '../../logging.js';
import { ErpError } from '../port.js';
import { whereText, type Endpoint } from './dialect.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ESOCKET', 'EAI_AGAIN', 'ECONNRESET']);
const AUTH_CODES = new Set(['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ELOGIN', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);
const NO_DATABASE_CODES = new Set(['3D000', 'ER_BAD_DB_ERROR']);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[] };
  if (typeof e?.code === 'string') return e.code;
  // Node reports a refused dual-stack connect ("localhost") as an AggregateError.
  if (Array.isArray(e?.errors)) for (const inner of e.errors) { const c = codeOf(inner); if (c) return c; }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || (Array.isArray((err as { errors?: unknown[] }).errors) ? String((err as AggregateError).errors[0]) : String(err));
  return String(err);
}

/** Wraps a connection-level failure; other errors pass through unchanged (scrubbed). */
export function translateError(err: unknown, ep: Endpoint, context?: string): Error {
  if (err instanceof ErpError) return err;
  // An aborted read is the caller's decision, not a database failure: keep it recognisable.
  if (err instanceof Error && err.name === 'AbortError') return err;
  const code = codeOf(err);
  const detail = scrubSecrets(messageOf(err), [ep.secret ?? undefined]);
  const where = whereText(ep);
  const connectTimeout = /connect(ion)?\b.*\b(timeout|timed out)|timeout expired|Failed to connect|Connection terminated unexpectedly|Connection terminated due to connection timeout/i.test(detail);
  if ((code && UNREACHABLE_CODES.has(code)) || (err instanceof Error && err.name === 'KnexTimeoutError') || connectTimeout) {
    return new ErpError(
      `cannot reach ${where} (${code ?? 'timeout'}); check that the server runs and that erp.connection host/port are right`,
      'unreachable',
      { cause: err },
    );
  }
  if (code && AUTH_CODES.has(code)) {
    return new ErpError(
      `${where} refused the login of user "${ep.user ?? '?'}" (${detail}); check erp.connection.user and erp.connection.password`,
      'auth',
      { cause: err },
    );
  }
  if (code && NO_DATABASE_CODES.has(code)) {
    return new ErpError(`database "${ep.database ?? '?'}" does not exist on ${where}; check erp.connection.database`, 'config', { cause: err });
  }
  const out = new Error(`${context ? `${context}: ` : ''}${detail}`, { cause: err });
  return out;
}
