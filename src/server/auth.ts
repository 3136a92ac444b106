/**
 * Who is asking and may they: every /api/v1 route declares the role it needs in its
 * `config.access`; one onRequest hook (before body validation, so an anonymous caller learns
 * nothing about the input) resolves the session cookie or the Bearer token, checks the role,
 * and checks the CSRF token on state-changing requests made with the cookie.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE, type ErrorBody, type Role } from './api/contract.js';
import type { AuthStore, Principal } from './store/auth-store.js';

/** `public`: no sign-in; `signedIn`: any role; a role: that role or a higher one. */
export type Access = 'public' | 'signedIn' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** A refusal body; a message about a field starts with the field's name. */
export function refusal(code: ErrorBody['error']['code'], message: string, field?: string): ErrorBody {
  const text = field && !message.startsWith(field) ? `${field}: ${message}` : message;
  return { error: { code, message: text, ...(field ? { field } : {}) } };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function principalOf(req: FastifyRequest, auth: AuthStore): { principal: Principal | null; via: 'cookie' | 'bearer' | null } {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { principal: auth.tokenPrincipal(header.slice(7).trim()), via: 'bearer' };
  const sid = req.cookies[SESSION_COOKIE];
  if (sid) return { principal: auth.sessionPrincipal(sid), via: 'cookie' };
  return { principal: null, via: null };
}

export function registerAuthHook(app: FastifyInstance, auth: AuthStore): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    const { principal, via } = principalOf(req, auth);
    if (!principal) {
      return reply.code(401).send(refusal('unauthorized', via === 'bearer' ? 'this API token is not valid (revoked, or its user is disabled)' : 'sign in first (POST /api/v1/session)'));
    }
    req.principal = principal;
    if (access !== 'signedIn' && RANK[principal.user.role] < RANK[access]) {
      return reply.code(403).send(refusal('forbidden', `this needs the ${access} role; you are ${principal.user.role}`));
    }
    const changes = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    if (changes && via === 'cookie') {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !principal.csrfToken || !sameText(sent, principal.csrfToken)) {
        return reply.code(403).send(refusal('csrf', `missing or wrong ${CSRF_HEADER} header; take the token from GET /api/v1/me`));
      }
    }
  });
}
