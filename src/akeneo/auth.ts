/**
 * Who we are to Akeneo. A Connection uses the OAuth password grant (HTTP Basic client:secret),
 * refreshes proactively shortly before expiry, falls back to the password grant when the
 * refresh token is refused, and keeps a single token request in flight however many calls
 * wait. An App uses a static bearer token.
 */
import { z } from 'zod';
import { registerSecrets } from '../logging.js';
import { AkeneoAuthError, AkeneoError, type AuthProblem } from './errors.js';
import type { TokenSource, Transport } from './transport.js';

export const TOKEN_ROUTE = '/api/oauth/v1/token';

export interface ConnectionCredentials {
  clientId: string;
  secret: string;
  username: string;
  password: string;
}

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  token_type: z.string().optional(),
});

/** Akeneo answers 422 to any token problem; its message tells which credential is wrong. */
export function classifyTokenError(message: string, grant: 'password' | 'refresh_token'): AuthProblem {
  const m = message.toLowerCase();
  if (m.includes('client_id') || m.includes('client id') || m.includes('secret') || m.includes('grant type is not authorized')) return 'client';
  if (m.includes('refresh token') || grant === 'refresh_token') return 'refresh';
  if (m.includes('username') || m.includes('password') || m.includes('no user found')) return 'user';
  return 'unknown';
}

export class PasswordGrantTokens implements TokenSource {
  readonly kind = 'connection' as const;
  private accessToken: string | undefined;
  private refreshToken: string | undefined;
  /** performance.now() after which the access token counts as expired. */
  private expiresAt = 0;
  private inFlight: Promise<string> | undefined;
  /** Token requests actually sent (observability and tests). */
  requests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: ConnectionCredentials,
    /** Refresh this long before expiry so no call goes out with a token about to die. */
    private readonly refreshMarginMs = 60_000,
    private readonly now: () => number = () => performance.now(),
    /** Which of the client's connections this is: its token requests go out on it. */
    private readonly connection = 0,
  ) {}

  current(): string | undefined {
    return this.accessToken && this.now() < this.expiresAt ? this.accessToken : undefined;
  }

  token(): Promise<string> {
    if (this.accessToken && this.now() < this.expiresAt) return Promise.resolve(this.accessToken);
    // Single flight: whoever comes while a token request runs waits for that one.
    this.inFlight ??= this.obtain().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  invalidate(token: string): void {
    // Only the first of several concurrent 401s (all with the same token) forces a refresh.
    if (token === this.accessToken) this.expiresAt = 0;
  }

  private async obtain(): Promise<string> {
    if (this.refreshToken) {
      try {
        return await this.request({ grant_type: 'refresh_token', refresh_token: this.refreshToken }, 'refresh_token');
      } catch (err) {
        // A refused refresh token is routine (expired after 14 days, or used by a lost answer):
        // start over with the password grant. Anything else (PIM down) is not solved by that.
        if (!(err instanceof AkeneoAuthError) || err.problem !== 'refresh') throw err;
        this.refreshToken = undefined;
      }
    }
    return this.request(
      { grant_type: 'password', username: this.credentials.username, password: this.credentials.password },
      'password',
    );
  }

  private async request(body: Record<string, string>, grant: 'password' | 'refresh_token'): Promise<string> {
    this.requests++;
    const basic = Buffer.from(`${this.credentials.clientId}:${this.credentials.secret}`, 'utf8').toString('base64');
    // A server that echoes the request (an error page, a proxy) must not make these printable.
    registerSecrets([basic, this.credentials.secret, this.credentials.password, body.refresh_token]);
    const res = await this.transport.call({
      method: 'POST',
      route: TOKEN_ROUTE,
      auth: false,
      connection: this.connection,
      // A token request has no lasting effect worth protecting: resending it is safe.
      idempotent: true,
      headers: { Authorization: `Basic ${basic}` },
      body: { kind: 'json', value: body },
      mapError: (err) => toAuthError(err, grant),
    });
    const parsed = tokenResponseSchema.safeParse(res.json());
    if (!parsed.success) {
      throw new AkeneoAuthError({
        status: res.status,
        message: 'the token endpoint answered without an access_token; is pim.url the PIM itself (not a login page or proxy)?',
        method: 'POST',
        path: TOKEN_ROUTE,
        problem: 'unknown',
      });
    }
    const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000;
    // Short-lived tokens (tests, odd setups) still get used: refresh at 90 % of their life at the latest.
    const margin = Math.min(this.refreshMarginMs, lifetimeMs * 0.1);
    this.accessToken = parsed.data.access_token;
    this.refreshToken = parsed.data.refresh_token ?? this.refreshToken;
    registerSecrets([this.accessToken, this.refreshToken]);
    this.expiresAt = this.now() + lifetimeMs - margin;
    return this.accessToken;
  }
}

function toAuthError(err: AkeneoError, grant: 'password' | 'refresh_token'): AkeneoError {
  if (err.status === undefined || err.status >= 500 || err.status === 429 || err.status === 408) return err;
  if (err.status === 404 || err.status === 405) {
    return new AkeneoAuthError({
      status: err.status,
      message: `no token endpoint at this address (${err.message}); pim.url must be the PIM's base URL, e.g. https://acme.cloud.akeneo.com`,
      method: err.method,
      path: err.path,
      problem: 'unknown',
    });
  }
  const problem = classifyTokenError(err.message, grant);
  const what =
    problem === 'client'
      ? 'Akeneo refused the client id or secret'
      : problem === 'user'
        ? 'Akeneo refused the username or password'
        : problem === 'refresh'
          ? 'Akeneo refused the refresh token'
          : 'Akeneo refused the credentials';
  return new AkeneoAuthError({ status: err.status, message: `${what} (${err.message})`, method: err.method, path: err.path, problem });
}

/** An App's token: it never expires; a 401 means it was revoked, which a refresh cannot fix. */
export class StaticTokens implements TokenSource {
  readonly kind = 'app' as const;
  private revoked = false;
  constructor(private readonly accessToken: string) {}
  current(): string | undefined {
    return this.revoked ? undefined : this.accessToken;
  }
  token(): Promise<string> {
    if (this.revoked) {
      return Promise.reject(
        new AkeneoAuthError({ status: 401, message: 'the PIM refused the App token', problem: 'token' }),
      );
    }
    return Promise.resolve(this.accessToken);
  }
  invalidate(token: string): void {
    if (token === this.accessToken) this.revoked = true;
  }
}
