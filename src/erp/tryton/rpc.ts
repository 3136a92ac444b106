/**
 * A small JSON-RPC client for Tryton 6.0: session login, the `Authorization: Session …`
 * header, one transparent re-login when the session expired, and errors that say what
 * to fix. Secrets (password, session key) never appear in an error message.
 */
import { Agent, request } from 'undici';
import { ErpError } from '../port.js';
import { registerSecrets, scrubSecrets } from '../../logging.js';
import { decodeValue, encodeForTryton } from './codec.js';

export interface TrytonRpcOptions {
  url: string;
  database: string;
  username: string;
  password: string;
  timeoutMs?: number;
  /** The language passed to common.db.login (only affects login messages). */
  language?: string;
}

export interface RpcStats {
  calls: number;
  logins: number;
  /** Sum of all calls' durations (ms); concurrent calls each count. */
  waitMs: number;
  /** Wall time (ms) during which at least one call was in flight: the time spent waiting on Tryton. */
  busyMs: number;
  /** Calls and summed duration (ms) per JSON-RPC method, to see where Tryton spends the time. */
  byMethod: Record<string, { calls: number; ms: number }>;
}

/** A Tryton business/protocol error returned in the body: `{"error": [type, args]}`. */
export class TrytonRpcError extends ErpError {
  constructor(
    message: string,
    readonly method: string,
    readonly trytonType: string,
  ) {
    super(message, 'protocol');
    this.name = 'TrytonRpcError';
  }
}

interface Session {
  userId: number;
  key: string;
  header: string;
}

export class TrytonRpc {
  readonly stats: RpcStats = { calls: 0, logins: 0, waitMs: 0, busyMs: 0, byMethod: {} };
  private inFlight = 0;
  private busySince = 0;
  private session: Session | null = null;
  private loggingIn: Promise<Session> | null = null;
  private nextId = 1;
  private readonly base: URL;
  private readonly where: string;
  /** undici, the HTTP stack of the PIM client too; the same defaults as Node's fetch (which is undici). */
  private readonly dispatcher = new Agent();

  constructor(private readonly options: TrytonRpcOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : options.url + '/');
    const port = this.base.port || (this.base.protocol === 'https:' ? '443' : '80');
    this.where = `${this.base.hostname}:${port}`;
  }

  /** Host and port, for messages. */
  get address(): string {
    return this.where;
  }

  get userId(): number | null {
    return this.session?.userId ?? null;
  }

  /** Calls that need no database, e.g. `common.server.version`. */
  async callRoot(method: string, params: unknown[] = []): Promise<unknown> {
    const res = await this.post(new URL('.', this.base), method, params, null);
    return this.unwrap(res, method);
  }

  /** `model.<model>.<method>` and friends, on the configured database, logged in. */
  async call(method: string, params: unknown[]): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.ensureSession();
      const res = await this.post(this.dbUrl(), method, params, session.header);
      // Expired or revoked session: Tryton 6.0 answers 401 with an empty body; older servers
      // and proxies may say 403 or put a NotLogged/session error in the body. Log in again once.
      if (attempt === 0 && (res.status === 401 || res.status === 403 || isSessionError(res.body))) {
        if (this.session === session) this.session = null;
        continue;
      }
      if (res.status === 401) {
        throw new ErpError(`Tryton at ${this.where} refused the session for user "${this.options.username}" even after logging in again; check the user's access rights.`, 'auth');
      }
      if (res.status === 403) {
        throw new ErpError(
          `Tryton at ${this.where} refused ${method} (HTTP 403): the method does not exist or is not exposed over RPC — is the module providing it activated on database "${this.options.database}"?`,
          'protocol',
        );
      }
      return this.unwrap(res, method);
    }
  }

  async login(): Promise<void> {
    await this.ensureSession(true);
  }

  async logout(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (!session) return;
    try {
      await this.post(this.dbUrl(), 'common.db.logout', [], session.header);
    } catch {
      // Best effort: the server may already be gone when we close.
    }
  }

  private dbUrl(): URL {
    return new URL(encodeURIComponent(this.options.database) + '/', this.base);
  }

  private async ensureSession(force = false): Promise<Session> {
    if (this.session && !force) return this.session;
    if (!this.loggingIn) {
      this.loggingIn = this.doLogin().finally(() => {
        this.loggingIn = null;
      });
    }
    this.session = await this.loggingIn;
    return this.session;
  }

  private async doLogin(): Promise<Session> {
    const { username, password, database } = this.options;
    const res = await this.post(this.dbUrl(), 'common.db.login', [username, { password }, this.options.language ?? 'en'], null);
    this.stats.logins++;
    if (res.status === 401) {
      throw new ErpError(
        `Tryton at ${this.where} refused the login of user "${username}" on database "${database}": wrong username or password (check erp.username and erp.password).`,
        'auth',
      );
    }
    if (res.status === 429) {
      throw new ErpError(`Tryton at ${this.where} throttles logins for user "${username}" after repeated failures; wait a minute, then check erp.password.`, 'auth');
    }
    if (res.status >= 400) {
      throw new ErpError(`Tryton at ${this.where} answered HTTP ${res.status} to the login of user "${username}" on database "${database}".`, 'protocol');
    }
    const body = res.body as { result?: unknown; error?: unknown };
    if (body.error !== undefined) {
      const text = describeError(body.error);
      if (/doesn't exist|does not exist/i.test(text)) {
        throw new ErpError(`Tryton at ${this.where} has no database "${database}"${await this.listDatabasesHint()} (check erp.database).`, 'config');
      }
      if (Array.isArray(body.error) && body.error[0] === 'LoginException') {
        const field = Array.isArray(body.error[1]) ? String(body.error[1][0]) : 'credential';
        throw new ErpError(`Tryton at ${this.where} asks user "${username}" for another credential: ${field} (only password login is supported; check erp.password).`, 'auth');
      }
      throw new ErpError(`Tryton at ${this.where} refused the login of user "${username}": ${this.scrub(text)}`, 'auth');
    }
    const result = body.result;
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') {
      throw new ErpError(
        `Tryton at ${this.where} refused the login of user "${username}" on database "${database}": wrong username or password (check erp.username and erp.password).`,
        'auth',
      );
    }
    const session = { userId: result[0], key: result[1], header: headerFor(username, result[0], result[1]) };
    registerSecrets([session.key, session.header.slice('Session '.length)]);
    return session;
  }

  private async listDatabasesHint(): Promise<string> {
    try {
      const list = await this.callRoot('common.db.list');
      if (Array.isArray(list)) return `; it has: ${list.map(String).join(', ') || 'none'}`;
    } catch {
      // Listing may be disabled ([database] list = False).
    }
    return '';
  }

  private async post(url: URL, method: string, params: unknown[], auth: string | null): Promise<{ status: number; body: unknown }> {
    const id = this.nextId++;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (auth) headers.authorization = auth;
    const started = performance.now();
    this.stats.calls++;
    if (this.inFlight++ === 0) this.busySince = started;
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        dispatcher: this.dispatcher,
        method: 'POST',
        headers,
        body: encodeForTryton({ id, method, params }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.networkError(error, method);
    } finally {
      const now = performance.now();
      this.stats.waitMs += now - started;
      const entry = (this.stats.byMethod[method] ??= { calls: 0, ms: 0 });
      entry.calls++;
      entry.ms += now - started;
      if (--this.inFlight === 0) this.stats.busyMs += now - this.busySince;
    }
    if (status !== 200) return { status, body: text };
    try {
      return { status: 200, body: JSON.parse(text) as unknown };
    } catch {
      // Scrubbed whole before it is cut: a page echoing the request holds the login's password,
      // maybe JSON-escaped, and a cut could leave a prefix of it behind.
      const shown = this.scrub(text).slice(0, 120);
      throw new ErpError(`Tryton at ${this.where} answered ${method} with something that is not JSON (${JSON.stringify(shown)}); is erp.url pointing at trytond?`, 'protocol');
    }
  }

  private unwrap(res: { status: number; body: unknown }, method: string): unknown {
    if (res.status !== 200) {
      throw new ErpError(`Tryton at ${this.where} answered HTTP ${res.status} to ${method}.`, 'protocol');
    }
    const body = res.body as { result?: unknown; error?: unknown };
    if (body && typeof body === 'object' && 'error' in body && body.error != null) {
      const type = Array.isArray(body.error) ? String(body.error[0]) : 'error';
      throw new TrytonRpcError(`Tryton refused ${method}: ${this.scrub(describeError(body.error))}`, method, type);
    }
    return decodeValue(body?.result ?? null);
  }

  private networkError(error: unknown, method: string): ErpError {
    const cause = error as { name?: string; cause?: { code?: string; message?: string }; code?: string; message?: string };
    const code = cause?.cause?.code ?? cause?.code;
    if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') {
      return new ErpError(`Tryton at ${this.where} did not answer ${method} within ${this.options.timeoutMs ?? 60_000} ms; is the server overloaded? (raise erp.timeoutMs if reads are legitimately slow).`, 'unreachable', { cause: error });
    }
    const reason = code ?? cause?.cause?.message ?? cause?.message ?? 'network error';
    return new ErpError(`Tryton is unreachable at ${this.where} (${reason}); check that trytond is running and erp.url is right.`, 'unreachable', { cause: error });
  }

  private scrub(text: string): string {
    return scrubSecrets(text, [this.options.password, this.session?.key]);
  }
}

function isSessionError(body: unknown): boolean {
  const error = (body as { error?: unknown } | null)?.error;
  return Array.isArray(error) && typeof error[0] === 'string' && /^(NotLogged|SessionExpired|Session expired)/i.test(error[0]);
}

function headerFor(login: string, userId: number, key: string): string {
  return 'Session ' + Buffer.from(`${login}:${userId}:${key}`, 'utf8').toString('base64');
}

/** Turns Tryton's error tuples into one readable sentence. */
export function describeError(error: unknown): string {
  if (!Array.isArray(error)) return typeof error === 'string' ? error : JSON.stringify(error);
  const [type, args] = error as [unknown, unknown];
  const typeText = String(type);
  if (Array.isArray(args)) {
    // UserError / UserWarning / ConcurrencyException: [message, description, domain?]
    const parts = args.filter((a): a is string => typeof a === 'string' && a.trim() !== '');
    if (typeText === 'UserWarning') return `warning ${parts.slice(1).join(' ')}`.trim();
    if (parts.length) return parts.join(' — ');
    return typeText;
  }
  // Unexpected server exceptions arrive as [str(exception), traceback-or-empty].
  const detail = typeof args === 'string' && args.trim() ? ` (${args.trim().split('\n').slice(-1)[0]})` : '';
  if (/^'.*'$/.test(typeText)) return `unknown field or key ${typeText}${detail}`;
  return `${typeText}${detail}`;
}
