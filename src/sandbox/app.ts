/**
 * The fastify application: raw body capture (handlers decode with Akeneo's errors), the request
 * pipeline (auth → Accept → SaaS limits → injected faults → handler → latency → 500-after-write),
 * stats, 404/405 for unknown routes, and every route module.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxContext } from './context.js';
import type { EditionProfile } from './edition.js';
import { baseUrl, checkAccept, HttpError, sendError } from './http.js';
import { Limiter, SAAS_LIMITS } from './limits.js';
import { parseFaults, parseLatency, pickFault, seededRandom } from './options.js';
import { registerEeRoutes } from './routes/ee.js';
import { registerMediaRoutes } from './routes/media.js';
import { registerProductRoutes } from './routes/products.js';
import { registerStructureRoutes } from './routes/structure.js';
import { registerSystemRoutes } from './routes/system.js';
import { StatsCollector, type SandboxStats } from './stats.js';

export interface AppHandle {
  app: FastifyInstance;
  stats: StatsCollector;
  limiter: Limiter;
  /** Drops timers of held (`timeout` fault) requests. */
  shutdown(): void;
}

/**
 * Request body limits by route: media uploads may be large; API writes are batches of JSON
 * lines; auth and the sandbox's control routes take a few fields. A large limit on a route that
 * needs no token would let any page on the network fill the memory.
 */
const BODY_LIMITS = { media: 200 * 1024 * 1024, api: 16 * 1024 * 1024, small: 64 * 1024 };
function bodyLimitFor(url: string): number {
  if (/^\/api\/rest\/v1\/.*media-files/.test(url)) return BODY_LIMITS.media;
  if (url.startsWith('/api/rest/v1/')) return BODY_LIMITS.api;
  return BODY_LIMITS.small;
}

/** The header that makes a /_sandbox/* write legitimate: a cross-site page cannot send it without a CORS preflight, which the sandbox never grants. */
export const SANDBOX_CONTROL_HEADER = 'x-ferry-sandbox';

/**
 * Akeneo's route requirements (Symfony `requirements:` on a path parameter): a request whose
 * segment does not match them matches no route, so it answers the router's 404 (405 when another
 * route takes the path), before authentication. /products-uuid/{uuid} takes only uuids
 * (akeneo/pim-community-dev src/Akeneo/Pim/Enrichment/Bundle/Resources/config/routing/external_api/product.yml
 * at ea67ecb6: pim_api_product_uuid_get, _partial_update and _delete).
 */
const UUID_REQUIREMENT = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ROUTE_REQUIREMENTS: Record<string, Record<string, string>> = {
  '/api/rest/v1/products-uuid/:key': { key: UUID_REQUIREMENT },
};

/** A fastify route pattern as a regex over the path, each parameter held to its requirement. */
function routePattern(url: string): RegExp {
  const requirements = ROUTE_REQUIREMENTS[url] ?? {};
  const parts = url.split(/(:\w+|\*)/);
  const source = parts
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return `(?:${requirements[part.slice(1)] ?? '[^/]+'})`;
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp('^' + source + '$');
}

/** True when the route fastify matched holds a parameter its Akeneo requirement refuses. */
function failsRequirements(req: FastifyRequest): boolean {
  const requirements = ROUTE_REQUIREMENTS[req.routeOptions.url ?? ''];
  if (!requirements) return false;
  const params = req.params as Record<string, string>;
  return Object.entries(requirements).some(([name, re]) => !new RegExp(`^(?:${re})$`).test(params[name] ?? ''));
}

/** Routes under /api/rest/v1 that need no token. */
function isPublic(path: string): boolean {
  return path === '/api/rest/v1' || path === '/api/rest/v1/';
}

/** The app as route modules see it: `route()` registers only what the edition has. */
function editionGated(app: FastifyInstance, edition: EditionProfile): FastifyInstance {
  return new Proxy(app, {
    get(target, prop) {
      if (prop === 'route') {
        return (opts: RouteOptions) => {
          const methods = (Array.isArray(opts.method) ? opts.method : [opts.method]).filter((m) => edition.hasRoute(m, opts.url));
          if (methods.length === 0) return target;
          return target.route({ ...opts, method: methods });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function buildApp(ctx: SandboxContext, control: { reset(): Promise<void>; counts(): { products: number; productModels: number; mediaFiles: number } }): AppHandle {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMITS.small, // per route below (onRoute)
    forceCloseConnections: true,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 2000 },
  });
  const stats = new StatsCollector();
  const limiter = new Limiter(ctx.options.limits === 'saas' ? SAAS_LIMITS : undefined);
  const latency = parseLatency(ctx.options.latency);
  const faults = parseFaults(ctx.options.faults);
  const random = seededRandom(ctx.options.seed);
  const held = new Set<NodeJS.Timeout>();
  const routes: { method: string; url: string; pattern: RegExp }[] = [];

  app.addHook('onRoute', (opts) => {
    opts.bodyLimit ??= bodyLimitFor(opts.url);
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    const pattern = routePattern(opts.url);
    for (const m of methods) if (m !== 'HEAD') routes.push({ method: m, url: opts.url, pattern });
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.decorateRequest('sandbox', undefined);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    const state = { connection: 'anonymous', routeKey: `${req.method} ${req.routeOptions.url ?? '(no route)'}`, lines: 0, arrivedAt: performance.now() } as NonNullable<FastifyRequest['sandbox']>;
    req.sandbox = state;
    if (failsRequirements(req)) {
      state.routeKey = `${req.method} (no route)`;
      return noRoute(req, reply);
    }
    if (path.startsWith('/_sandbox/') && req.method !== 'GET' && req.method !== 'HEAD') {
      // A web page in the developer's browser must not reset (or otherwise change) the sandbox.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== baseUrl(req)) {
        return sendError(reply, new HttpError(403, { code: 403, message: `Requests from ${origin} may not change the sandbox.` }));
      }
      const token = req.headers.authorization !== undefined && ctx.auth.check(req.headers.authorization).ok;
      if (req.headers[SANDBOX_CONTROL_HEADER] === undefined && !token) {
        return sendError(reply, new HttpError(403, { code: 403, message: `Send the header "X-Ferry-Sandbox: 1" (or a sandbox token) to change the sandbox.` }));
      }
      return;
    }
    if (!path.startsWith('/api/rest/v1') || isPublic(path) || !req.routeOptions.url) return;
    const check = ctx.auth.check(req.headers.authorization);
    if (!check.ok) {
      sendError(reply, new HttpError(401, { code: 401, message: check.message }));
      return reply;
    }
    state.connection = check.token.clientId;
    state.username = check.token.username;
    const action = aclAction(req.method, path);
    if (ctx.auth.forbidden(check.token.clientId, action)) {
      sendError(reply, new HttpError(403, { code: 403, message: `Access forbidden. You are not allowed to ${action}.` }));
      return reply;
    }
    try {
      // File downloads answer the file's own type: any Accept goes there.
      if (!/\/download$|\/(asset|reference-entities)-media-files\//.test(path)) checkAccept(req);
    } catch (err) {
      sendError(reply, err as HttpError);
      return reply;
    }
    const isOptionWrite = (req.method === 'POST' || req.method === 'PATCH') && /\/attributes\/[^/]+\/options/.test(path);
    const admission = limiter.admit(state.connection, isOptionWrite);
    if (!admission.ok) {
      stats.throttledBy(admission.reason);
      sendError(reply, new HttpError(429, { code: 429, message: admission.message }, { 'retry-after': String(admission.retryAfter) }));
      return reply;
    }
    const admittedAt = performance.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      admission.release();
      stats.busy(performance.now() - admittedAt);
    };
    state.release = release;
    reply.raw.once('close', release);
    stats.concurrency(state.connection, limiter.current(state.connection), limiter.current());
    stats.admitted(state.connection, isOptionWrite);

    const fault = pickFault(faults, random);
    if (!fault) return;
    if (fault === '500-after-write') {
      if (req.method !== 'GET') state.fault = fault;
      return;
    }
    stats.fault(fault);
    if (fault === '429') {
      sendError(reply, new HttpError(429, { code: 429, message: 'You have exceeded the limit of API requests per second.' }, { 'retry-after': '1' }));
      return reply;
    }
    if (fault === '500') {
      sendError(reply, new HttpError(500, { code: 500, message: 'Internal Server Error' }));
      return reply;
    }
    const socket = req.raw.socket as Socket;
    reply.hijack();
    if (fault === 'reset') {
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    // timeout: hold the request unanswered, then drop the connection.
    const timer = setTimeout(() => {
      held.delete(timer);
      socket.destroy();
    }, ctx.options.timeoutFaultMs);
    held.add(timer);
    socket.once('close', () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const state = req.sandbox;
    const path = req.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path.startsWith('/connect/')) {
      // The modelled latency is the whole response time, as a PIM's is: the sandbox's own work
      // counts inside it, so a batch of 100 lines answers after 400 ms, not 400 ms + its work.
      const ms = latency.perRequestMs + latency.perLineMs * (state?.lines ?? 0);
      const wait = state ? ms - (performance.now() - state.arrivedAt) : ms;
      if (wait > 0) await sleep(wait);
    }
    if (state?.fault === '500-after-write' && reply.statusCode < 300) {
      stats.fault('500-after-write');
      reply.code(500);
      reply.removeHeader('location');
      reply.header('content-type', 'application/json');
      return JSON.stringify({ code: 500, message: 'Internal Server Error' });
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    stats.record(req.sandbox?.routeKey ?? `${req.method} (no route)`, reply.statusCode, req.sandbox?.lines ?? 0);
    ctx.options.onRequestLog?.({
      method: req.method,
      url: req.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      lines: req.sandbox?.lines ?? 0,
    });
  });

  /** Symfony's router answer for a request no route takes: 405 when other methods take the path, else 404. */
  function noRoute(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = req.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path) && r.method !== req.method).map((r) => r.method))];
    const target = `${req.method} ${req.protocol}://${req.headers.host ?? req.hostname}${path}`;
    if (allowed.length > 0) {
      return sendError(reply, new HttpError(405, { code: 405, message: `No route found for "${target}": Method Not Allowed (Allow: ${allowed.join(', ')})` }));
    }
    return sendError(reply, new HttpError(404, { code: 404, message: `No route found for "${target}"` }));
  }
  app.setNotFoundHandler((req, reply) => noRoute(req, reply));

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err);
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 413) return sendError(reply, new HttpError(413, { code: 413, message: 'Request Entity Too Large' }));
    if (status === 500) process.stderr.write(`ferry sandbox: internal error: ${err.stack ?? err.message}\n`);
    return sendError(reply, new HttpError(status, { code: status, message: status === 500 ? 'Internal Server Error' : err.message }));
  });

  const counts = control.counts;
  registerSystemRoutes(editionGated(app, ctx.edition), ctx, {
    reset: control.reset,
    stats: (): SandboxStats => stats.snapshot(counts()),
    routes: () => routes.map((r) => ({ method: r.method, url: r.url })),
  });
  // Routes this edition/version does not have are never registered, so they answer Symfony's
  // "No route found" 404 (or 405) and are missing from the API root's route list, as there.
  const api = editionGated(app, ctx.edition);
  registerStructureRoutes(api, ctx);
  registerProductRoutes(api, ctx);
  registerMediaRoutes(api, ctx);
  registerEeRoutes(api, ctx);

  return {
    app,
    stats,
    limiter,
    shutdown: () => {
      for (const t of held) clearTimeout(t);
      held.clear();
    },
  };
}

/**
 * The Web API permission a call needs, worded as Akeneo's 403 words it: GET → "list <resource>",
 * POST/PATCH → "create or update <resource>", DELETE → "delete <resource>"; the resource is the
 * first path segment (`products-uuid` → products, `product-models` → product models).
 */
function aclAction(method: string, path: string): string {
  const segment = path.replace(/^\/api\/rest\/v1\/?/, '').split(/[/?]/)[0] ?? '';
  const resource = segment.replace(/-uuid$/, '').replace(/-/g, ' ');
  const verb = method === 'DELETE' ? 'delete' : method === 'GET' || method === 'HEAD' ? 'list' : 'create or update';
  return `${verb} ${resource}`;
}
