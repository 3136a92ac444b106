/** Dashboard, the ERP category tree, health, readiness and Prometheus metrics. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { dashboardSchema, erpCategoriesSchema, errorBodySchema, healthSchema, readySchema } from '../api/contract.js';
import { principalOf, refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { scrubSecrets } from '../../logging.js';

function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1' || ip.startsWith('127.');
}

export function apiSystemRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/dashboard', { config: { access: 'viewer' }, schema: { tags: ['dashboard'], summary: 'The dashboard', response: { 200: dashboardSchema } } }, async () => {
      const reach = await ctx.reachability.current();
      const next = ctx.scheduler.nextDue();
      const chart = (await ctx.runs.recent(30)).map((r) => ({
        runId: r.id,
        startedAt: r.startedAt,
        status: r.status,
        created: r.counts?.created ?? 0,
        updated: r.counts?.updated ?? 0,
        rejected: r.counts?.rejected ?? 0,
        durationMs: r.durationMs,
      }));
      return {
        connections: [
          {
            name: ctx.connectionName,
            pimUrl: ctx.config.pim.url,
            lastRun: await ctx.runs.lastFinished(),
            activeRun: await ctx.runs.running(),
            nextRun: next ? { scheduleId: next.schedule.id, scheduleName: next.schedule.name, at: next.at.toISOString() } : null,
            pim: reach.pim,
            erp: reach.erp,
            chart,
          },
        ],
      };
    });

    app.get(
      '/erp/categories',
      { config: { access: 'viewer' }, schema: { tags: ['runs'], summary: "The ERP's categories, for the Run-now picker", response: { 200: erpCategoriesSchema, 503: errorBodySchema } } },
      async (_req, reply) => {
        try {
          return { items: await ctx.reachability.erpCategories() };
        } catch (err) {
          return reply.code(503).send(refusal('unavailable', `the ERP's categories could not be read: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`));
        }
      },
    );
  };
}

export function rootSystemRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'The process answers', response: { 200: healthSchema } } }, async () => ({ ok: true as const }));

    app.get('/readyz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'State store and config loaded, scheduler going', response: { 200: readySchema, 503: readySchema } } }, async (_req, reply) => {
      let state: boolean;
      try {
        await ctx.state.history().listRuns({}, { offset: 0, limit: 1 });
        state = true;
      } catch {
        state = false;
      }
      const checks = { state, config: Boolean(ctx.config.pim.url), scheduler: ctx.backgroundStarted() };
      const ready = checks.state && checks.config && checks.scheduler;
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    });

    app.get('/metrics', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Prometheus metrics (loopback, or any signed-in caller / API token)', produces: ['text/plain'] } }, async (req, reply) => {
      if (!isLoopback(req.socket.remoteAddress ?? '') && !principalOf(req, ctx.auth).principal) {
        return reply.code(401).send(refusal('unauthorized', 'metrics are served to loopback callers, or with an API token (Authorization: Bearer …)'));
      }
      const text = await ctx.metrics.registry.metrics();
      return reply.header('content-type', ctx.metrics.registry.contentType).send(text);
    });
  };
}
