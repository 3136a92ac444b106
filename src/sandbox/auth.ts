/**
 * Akeneo's two auth flows: the Connection token endpoint (password + refresh_token grants,
 * client id/secret in HTTP Basic, 422 `{code,message}` errors) and the App authorization-code
 * exchange with `code_challenge = sha256hex(code_identifier + client_secret)` (RFC 6749 errors,
 * tokens that never expire).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface TokenInfo {
  clientId: string;
  username: string;
  /** ms epoch; Infinity for App tokens. */
  expiresAt: number;
}

export type AuthCheck = { ok: true; token: TokenInfo } | { ok: false; message: string };

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'bearer';
  scope: null;
  refresh_token: string;
}

export type TokenResult = { ok: true; body: TokenResponse } | { ok: false; status: number; message: string };

export interface ConnectionCredentials {
  clientId: string;
  secret: string;
  username: string;
  password: string;
  /**
   * Web API permissions the connection's user role lacks, worded as Akeneo's 403 says them
   * ("list families", "create or update products", "delete products"): such a call answers
   * 403 `Access forbidden. You are not allowed to list families.`
   */
  denied?: string[];
}

export interface AuthConfig extends ConnectionCredentials {
  tokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  /**
   * More Connections of the same instance (as SaaS has one per integration), each with its own
   * client id, secret and user. The first connection is the one of the fields above.
   */
  moreConnections?: readonly ConnectionCredentials[];
  /** More users of the same connection (another person's writes, e.g. Julia's, next to Ferry's own). */
  users?: readonly { username: string; password: string }[];
}

const newToken = (): string => randomBytes(32).toString('base64url');

function timingSafeEqualString(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return ha.equals(hb);
}

export class AuthService {
  private readonly accessTokens = new Map<string, TokenInfo>();
  private readonly refreshTokens = new Map<string, TokenInfo>();
  private readonly appCodes = new Map<string, { clientId: string; scope: string; expiresAt: number }>();

  constructor(
    private readonly config: AuthConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Basic header → [clientId, secret], or undefined when absent or malformed. */
  static parseBasic(header: string | undefined): [string, string] | undefined {
    if (!header || !/^basic\s+/i.test(header)) return undefined;
    const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    const idx = decoded.indexOf(':');
    if (idx < 0) return undefined;
    return [decoded.slice(0, idx), decoded.slice(idx + 1)];
  }

  /** Every Connection this instance knows, the configured one first. */
  connections(): ConnectionCredentials[] {
    const { clientId, secret, username, password, denied } = this.config;
    return [{ clientId, secret, username, password, ...(denied ? { denied } : {}) }, ...(this.config.moreConnections ?? [])];
  }

  /** Whether the connection's user role lacks `action` ("list families"; see ConnectionCredentials.denied). */
  forbidden(clientId: string, action: string): boolean {
    return this.connections().find((c) => c.clientId === clientId)?.denied?.includes(action) ?? false;
  }

  /** The Connection the client id and secret belong to, or undefined. */
  private client(basic: [string, string] | undefined, body: Record<string, unknown>): ConnectionCredentials | undefined {
    // FOSOAuthServer also accepts client_id / client_secret in the body.
    const id = basic?.[0] ?? (typeof body['client_id'] === 'string' ? body['client_id'] : undefined);
    const secret = basic?.[1] ?? (typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined);
    const connection = this.connections().find((c) => c.clientId === id);
    return connection && secret !== undefined && timingSafeEqualString(secret, connection.secret) ? connection : undefined;
  }

  private issue(clientId: string, username: string): TokenResponse {
    const access = newToken();
    const refresh = newToken();
    const now = this.now();
    this.accessTokens.set(access, { clientId, username, expiresAt: now + this.config.tokenLifetimeSeconds * 1000 });
    this.refreshTokens.set(refresh, { clientId, username, expiresAt: now + this.config.refreshTokenLifetimeSeconds * 1000 });
    return { access_token: access, expires_in: this.config.tokenLifetimeSeconds, token_type: 'bearer', scope: null, refresh_token: refresh };
  }

  /** POST /api/oauth/v1/token with the body already decoded (JSON or form). */
  token(basicHeader: string | undefined, body: Record<string, unknown>): TokenResult {
    const grant = body['grant_type'];
    const basic = AuthService.parseBasic(basicHeader);
    if (grant === 'refresh_token') {
      const rt = body['refresh_token'];
      if (typeof rt !== 'string' || rt === '') {
        return { ok: false, status: 422, message: 'Parameter "grant_type" or "refresh_token" is missing or empty' };
      }
      const client = this.client(basic, body);
      if (!client) {
        return { ok: false, status: 422, message: 'Parameter "client_id" is missing or does not match any client, or secret is invalid' };
      }
      const info = this.refreshTokens.get(rt);
      if (!info || info.expiresAt <= this.now() || info.clientId !== client.clientId) {
        return { ok: false, status: 422, message: 'Refresh token is invalid or has expired' };
      }
      this.refreshTokens.delete(rt);
      return { ok: true, body: this.issue(info.clientId, info.username) };
    }
    const username = body['username'];
    const password = body['password'];
    if (grant !== 'password' || typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
      if (typeof grant === 'string' && grant !== '' && grant !== 'password') {
        return { ok: false, status: 422, message: 'This grant type is not authorized for this client' };
      }
      return { ok: false, status: 422, message: 'Parameter "grant_type", "username" or "password" is missing, empty or invalid' };
    }
    const client = this.client(basic, body);
    if (!client) {
      return { ok: false, status: 422, message: 'Parameter "client_id" is missing or does not match any client, or secret is invalid' };
    }
    // Other people's users on the same connection (Julia next to Ferry), as events need an author.
    const users = [{ username: client.username, password: client.password }, ...(this.config.users ?? [])];
    const user = users.find((u) => u.username === username);
    if (!user || !timingSafeEqualString(password, user.password)) {
      return { ok: false, status: 422, message: 'No user found for the given username and password' };
    }
    return { ok: true, body: this.issue(client.clientId, username) };
  }

  /** Checks `Authorization: Bearer …` on an API call. */
  check(header: string | undefined): AuthCheck {
    if (!header || !/^bearer\s+/i.test(header)) return { ok: false, message: 'Authentication is required' };
    const token = header.replace(/^bearer\s+/i, '').trim();
    const info = this.accessTokens.get(token);
    if (!info) return { ok: false, message: 'The access token provided is invalid.' };
    if (info.expiresAt <= this.now()) {
      this.accessTokens.delete(token);
      return { ok: false, message: 'The access token provided has expired.' };
    }
    return { ok: true, token: info };
  }

  /** GET /connect/apps/v1/authorize: issues an authorization code (valid 30 s, single use). */
  authorize(clientId: string, scope: string): string {
    const code = newToken();
    this.appCodes.set(code, { clientId, scope, expiresAt: this.now() + 30_000 });
    return code;
  }

  /** POST /connect/apps/v1/oauth2/token: code + code_identifier + code_challenge → never-expiring token. */
  exchangeAppCode(body: Record<string, unknown>):
    | { ok: true; body: { access_token: string; token_type: 'bearer'; scope: string } }
    | { ok: false; status: number; body: { error: string; error_description: string } } {
    const err = (error: string, error_description: string) => ({ ok: false as const, status: 400, body: { error, error_description } });
    const { client_id: clientId, code, grant_type: grant, code_identifier: identifier, code_challenge: challenge } = body;
    if (grant !== 'authorization_code') return err('unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    if (typeof clientId !== 'string' || clientId === '') return err('invalid_request', 'The request is missing a required parameter: client_id.');
    if (typeof code !== 'string' || code === '') return err('invalid_request', 'The request is missing a required parameter: code.');
    if (typeof identifier !== 'string' || identifier === '') return err('invalid_request', 'The request is missing a required parameter: code_identifier.');
    if (typeof challenge !== 'string' || challenge === '') return err('invalid_request', 'The request is missing a required parameter: code_challenge.');
    if (clientId !== this.config.clientId) return err('invalid_client', 'Client authentication failed.');
    const expected = createHash('sha256').update(identifier + this.config.secret).digest('hex');
    if (!timingSafeEqualString(expected, challenge.toLowerCase())) return err('invalid_client', 'Code challenge is invalid.');
    const entry = this.appCodes.get(code);
    if (!entry || entry.clientId !== clientId) return err('invalid_grant', 'Code is invalid.');
    this.appCodes.delete(code);
    if (entry.expiresAt <= this.now()) return err('invalid_grant', 'Code has expired');
    const access = newToken();
    this.accessTokens.set(access, { clientId, username: `app:${clientId}`, expiresAt: Number.POSITIVE_INFINITY });
    return { ok: true, body: { access_token: access, token_type: 'bearer', scope: entry.scope } };
  }

  clear(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.appCodes.clear();
  }
}
