/**
 * The OAuth authorization-code flow an Akeneo App needs to obtain its token:
 * 1. redirect the user to authorizeUrl() (keep the returned state),
 * 2. on the callback, check the state and call exchangeAuthorizationCode() within 30 s.
 * Akeneo replaces the client secret in the exchange by a code challenge:
 * sha256hex(code_identifier + client_secret).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AkeneoAuthError } from './errors.js';
import { createDispatcher, sendRaw } from './http.js';
import type { Agent } from 'undici';

export const APP_AUTHORIZE_PATH = '/connect/apps/v1/authorize';
export const APP_TOKEN_PATH = '/connect/apps/v1/oauth2/token';

export interface AuthorizeRequest {
  pimUrl: string;
  clientId: string;
  /** e.g. ['read_products', 'write_products', 'openid']; sent space-separated. */
  scopes?: readonly string[];
  /** CSRF protection; a random one is generated when omitted. */
  state?: string;
}

export function authorizeUrl(req: AuthorizeRequest): { url: string; state: string } {
  const state = req.state ?? randomBytes(16).toString('hex');
  const url = new URL(APP_AUTHORIZE_PATH.replace(/^\//, ''), req.pimUrl.replace(/\/+$/, '') + '/');
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', req.clientId);
  if (req.scopes && req.scopes.length > 0) url.searchParams.set('scope', req.scopes.join(' '));
  url.searchParams.set('state', state);
  return { url: url.toString(), state };
}

/** Compares the state sent with the one received back, in constant time. */
export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newCodeIdentifier(): string {
  return randomBytes(64).toString('hex');
}

export function codeChallenge(codeIdentifier: string, clientSecret: string): string {
  return createHash('sha256').update(codeIdentifier + clientSecret).digest('hex');
}

export interface CodeExchange {
  pimUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  /** Generated when omitted. */
  codeIdentifier?: string;
  timeoutMs?: number;
  dispatcher?: Agent;
}

export interface AppToken {
  accessToken: string;
  scope: string[];
  idToken?: string;
}

const appTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
});
const oauthErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

export async function exchangeAuthorizationCode(req: CodeExchange): Promise<AppToken> {
  const codeIdentifier = req.codeIdentifier ?? newCodeIdentifier();
  const dispatcher = req.dispatcher ?? createDispatcher(1);
  const url = new URL(APP_TOKEN_PATH.replace(/^\//, ''), req.pimUrl.replace(/\/+$/, '') + '/').toString();
  try {
    const res = await sendRaw(dispatcher, {
      method: 'POST',
      url,
      label: APP_TOKEN_PATH,
      timeoutMs: req.timeoutMs ?? 30_000,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        client_id: req.clientId,
        code: req.code,
        grant_type: 'authorization_code',
        code_identifier: codeIdentifier,
        code_challenge: codeChallenge(codeIdentifier, req.clientSecret),
      }).toString(),
    });
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300) {
      const ok = appTokenSchema.safeParse(json);
      if (ok.success) {
        return {
          accessToken: ok.data.access_token,
          scope: (ok.data.scope ?? '').split(' ').filter(Boolean),
          ...(ok.data.id_token ? { idToken: ok.data.id_token } : {}),
        };
      }
    }
    const oauth = oauthErrorSchema.safeParse(json);
    const detail = oauth.success ? `${oauth.data.error}${oauth.data.error_description ? `: ${oauth.data.error_description}` : ''}` : `HTTP ${res.status}`;
    throw new AkeneoAuthError({
      status: res.status,
      message: `the PIM refused the App authorization code (${detail})`,
      method: 'POST',
      path: APP_TOKEN_PATH,
      problem: oauth.success && oauth.data.error === 'invalid_client' ? 'client' : 'app',
    });
  } finally {
    if (!req.dispatcher) await dispatcher.close();
  }
}
