/**
 * Auth endpoints (Connection token, App authorize + code exchange), the unauthenticated API root,
 * system-information, and the sandbox's own control routes (/_sandbox/reset, /_sandbox/stats).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { json, route, type SandboxContext } from '../context.js';
import { baseUrl, isObject, plain, rawBody } from '../http.js';
import type { SandboxStats } from '../stats.js';

/**
 * Token bodies: Akeneo's OAuth2 server reads only the request's decoded parameters. Symfony decodes
 * form bodies (x-www-form-urlencoded); FOSRestBundle's body listener decodes JSON when the
 * Content-Type says JSON (a malformed one is a 400 "Invalid json message received") and leaves any
 * other type undecoded (throw_exception_on_unsupported_content_type is false): the parameters are
 * then missing, which the token endpoint answers with its 422 "missing, empty or invalid".
 */
function formOrJson(req: FastifyRequest): Record<string, unknown> {
  const text = rawBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type !== 'application/json' && type !== 'application/x-json') return {};
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw plain(400, 'Invalid json message received');
  }
}

export interface ControlHooks {
  reset(): Promise<void>;
  stats(): SandboxStats;
  routes(): { method: string; url: string }[];
}

export function registerSystemRoutes(app: FastifyInstance, ctx: SandboxContext, control: ControlHooks): void {
  route(app, 'POST', '/api/oauth/v1/token', (req, reply) => {
    const result = ctx.auth.token(req.headers.authorization, formOrJson(req));
    if (!result.ok) return json(reply, { code: result.status, message: result.message }, result.status);
    return json(reply, result.body);
  });

  route(app, 'GET', '/connect/apps/v1/authorize', (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q['response_type'] !== 'code') {
      return json(reply, { error: 'unsupported_response_type', error_description: 'response_type must be "code".' }, 400);
    }
    if (q['client_id'] !== ctx.options.clientId) {
      return json(reply, { error: 'invalid_client', error_description: 'Unknown client_id.' }, 400);
    }
    const code = ctx.auth.authorize(q['client_id'], q['scope'] ?? '');
    const redirect = q['redirect_uri'];
    if (redirect) {
      let target: URL;
      try {
        target = new URL(redirect);
      } catch {
        return json(reply, { error: 'invalid_request', error_description: 'redirect_uri is not an absolute URL.' }, 400);
      }
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        return json(reply, { error: 'invalid_request', error_description: 'redirect_uri must be an http(s) URL.' }, 400);
      }
      target.searchParams.set('code', code);
      if (q['state'] !== undefined) target.searchParams.set('state', q['state']);
      return reply.code(302).header('location', target.toString()).send();
    }
    // No callback URL to send the browser to: hand the code back directly (sandbox convenience).
    return json(reply, { code, ...(q['state'] !== undefined ? { state: q['state'] } : {}) });
  });

  route(app, 'POST', '/connect/apps/v1/oauth2/token', (req, reply) => {
    const result = ctx.auth.exchangeAppCode(formOrJson(req));
    return json(reply, result.body, result.ok ? 200 : result.status);
  });

  const listRoutes = (req: FastifyRequest) => {
    const routes: Record<string, { route: string; methods: string[] }> = {};
    for (const r of control.routes()) {
      if (!r.url.startsWith('/api/rest/v1/')) continue;
      const name = `${r.method.toLowerCase()}_${r.url.replace('/api/rest/v1/', '').replace(/[/:-]+/g, '_')}`;
      routes[name] = { route: r.url.replace(/:(\w+)/g, '{$1}'), methods: [r.method] };
    }
    return {
      host: baseUrl(req),
      authentication: { fos_oauth_server_token: { route: '/api/oauth/v1/token', methods: ['POST'] } },
      routes,
    };
  };
  route(app, 'GET', '/api/rest/v1', (req, reply) => json(reply, listRoutes(req)));
  route(app, 'GET', '/api/rest/v1/', (req, reply) => json(reply, listRoutes(req)));

  // Registered only where it exists (6.0+, see edition.ts).
  route(app, 'GET', '/api/rest/v1/system-information', (_req, reply) => json(reply, ctx.edition.systemInformation ?? {}));

  route(app, 'POST', '/_sandbox/reset', async (_req, reply) => {
    await control.reset();
    return reply.code(204).send();
  });
  route(app, 'GET', '/_sandbox/stats', (_req, reply) => json(reply, control.stats()));
}
