/** Sign in, sign out, who am I; personal API tokens. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiTokenCreatedSchema,
  apiTokensSchema,
  errorBodySchema,
  idParamsSchema,
  loginBodySchema,
  meSchema,
  SESSION_COOKIE,
  tokenCreateSchema,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';

export function sessionRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const cookieOptions = (req: FastifyRequest) => ({
      path: '/',
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: ctx.secureCookies || req.protocol === 'https',
      maxAge: 12 * 60 * 60,
    });

    app.post(
      '/session',
      {
        config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: { tags: ['auth'], summary: 'Sign in', body: loginBodySchema, response: { 200: meSchema, 401: errorBodySchema } },
      },
      async (req, reply) => {
        const user = await ctx.auth.verifyLogin(req.body.username, req.body.password);
        if (!user) {
          ctx.audit.record(`anonymous (${req.ip})`, 'login.failed', `user:${req.body.username}`);
          return reply.code(401).send(refusal('unauthorized', 'wrong user name or password'));
        }
        const { sessionId, csrfToken } = ctx.auth.createSession(user.id);
        reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions(req));
        ctx.audit.record(`user:${user.name}`, 'login', null);
        return { user: { id: user.id, name: user.name, role: user.role }, csrfToken, demo: ctx.demo };
      },
    );

    app.delete('/session', { config: { access: 'signedIn' }, schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } }, async (req, reply: FastifyReply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) ctx.auth.deleteSession(sid);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    });

    app.get('/me', { config: { access: 'signedIn' }, schema: { tags: ['auth'], summary: 'Who is signed in, and the CSRF token', response: { 200: meSchema } } }, async (req) => {
      const p = req.principal!;
      return { user: p.user, csrfToken: p.csrfToken ?? '', demo: ctx.demo };
    });

    app.get('/tokens', { config: { access: 'signedIn' }, schema: { tags: ['tokens'], summary: 'Your API tokens', response: { 200: apiTokensSchema } } }, async (req) => ({
      items: ctx.auth.listTokens(req.principal!.user.id),
    }));

    app.post(
      '/tokens',
      { config: { access: 'signedIn' }, schema: { tags: ['tokens'], summary: 'Create an API token (shown once)', body: tokenCreateSchema, response: { 201: apiTokenCreatedSchema } } },
      async (req, reply) => {
        const created = ctx.auth.createToken(req.principal!.user.id, req.body.name);
        ctx.audit.record(req.principal!.actor, 'token.create', `token:${created.name}`, { prefix: created.prefix });
        return reply.code(201).send(created);
      },
    );

    app.delete(
      '/tokens/:id',
      { config: { access: 'signedIn' }, schema: { tags: ['tokens'], summary: 'Revoke an API token', params: idParamsSchema, response: { 204: z.null(), 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.auth.deleteToken(req.principal!.user.id, req.params.id)) return reply.code(404).send(refusal('not_found', `you have no token #${req.params.id}`));
        ctx.audit.record(req.principal!.actor, 'token.delete', `token#${req.params.id}`);
        return reply.code(204).send(null);
      },
    );
  };
}
