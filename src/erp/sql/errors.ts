/**
 * Driver errors → ErpError a user can act on: an unreachable server names host and port, a
 * refused login names the user, a missing database names it, a missing grant names the table
 * and the GRANT statement that gives it. Passwords never appear.
 */
import { scrubSecrets } from '../../logging.js';
import { ErpError } from '../port.js';
import { whereText, type Endpoint } from './dialect.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ESOCKET', 'EAI_AGAIN', 'ECONNRESET']);
const AUTH_CODES = new Set(['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ELOGIN', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);
/** The login worked but the user may not read something (PostgreSQL's insufficient_privilege, MySQL/MariaDB's grants). */
const PERMISSION_CODES = new Set(['42501', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);
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

/**
 * Wraps a connection-level failure; other errors pass through unchanged (scrubbed). `account`:
 * MySQL/MariaDB's CURRENT_USER() (`user@host`), when known, for the GRANT a missing right needs.
 */
export function translateError(err: unknown, ep: Endpoint, context?: string, account?: string | null): Error {
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
  if (code && PERMISSION_CODES.has(code)) {
    const { object, grant } = missingGrant(detail, ep, account ?? null);
    return new ErpError(`user "${ep.user ?? '?'}" may not read ${object} on ${where} (${detail}); grant it in the database: ${grant}`, 'auth', { cause: err });
  }
  if (code && NO_DATABASE_CODES.has(code)) {
    return new ErpError(`database "${ep.database ?? '?'}" does not exist on ${where}; check erp.connection.database`, 'config', { cause: err });
  }
  const out = new Error(`${context ? `${context}: ` : ''}${detail}`, { cause: err });
  return out;
}

/**
 * What the user may not read and the statement its administrator runs to allow it, from the
 * driver's words: PostgreSQL "permission denied for table t", MySQL/MariaDB "SELECT command
 * denied to user 'u'@'h' for table `db`.`t`" and "Access denied for user 'u'@'h' to database 'db'".
 */
function missingGrant(detail: string, ep: Endpoint, account: string | null): { object: string; grant: string } {
  const user = ep.user ?? '<user>';
  const pg = /permission denied for (table|view|relation|sequence|schema) "?([^"\s]+)"?/i.exec(detail);
  if (pg) {
    const [, kind, name] = pg as unknown as [string, string, string];
    return kind.toLowerCase() === 'schema'
      ? { object: `schema ${name}`, grant: `GRANT USAGE ON SCHEMA ${name} TO ${user}` }
      : { object: `${kind.toLowerCase() === 'relation' ? 'table' : kind.toLowerCase()} ${name}`, grant: `GRANT SELECT ON ${name} TO ${user}` };
  }
  const table = /denied to user '([^']*)'@'([^']*)' for table [`']?([^`'\s.]+)[`']?(?:\.[`']?([^`'\s]+)[`']?)?/i.exec(detail);
  if (table) {
    const [, user, clientHost, first, second] = table as unknown as [string, string, string, string, string | undefined];
    const at = account?.lastIndexOf('@') ?? -1;
    const [u, host] = account && at > 0 ? [account.slice(0, at), account.slice(at + 1)] : [user, clientHost];
    const qualified = second ? `\`${first}\`.\`${second}\`` : `\`${ep.database ?? '?'}\`.\`${first}\``;
    return { object: `table ${second ?? first}`, grant: `GRANT SELECT ON ${qualified} TO '${u}'@'${host}'` };
  }
  const database = /denied for user '([^']*)'@'([^']*)' to database '([^']*)'/i.exec(detail);
  if (database) {
    const [, u, host, db] = database as unknown as [string, string, string, string];
    return { object: `database ${db}`, grant: `GRANT SELECT ON \`${db}\`.* TO '${u}'@'${host}'` };
  }
  return { object: 'what is configured', grant: `GRANT SELECT on the configured tables TO ${user}` };
}
