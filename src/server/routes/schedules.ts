/** Schedules: CRUD, the next fire times (five on a card, up to 50 asked), a preview for the form, the occurrences. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  errorBodySchema,
  idParamsSchema,
  nextRunsQuerySchema,
  occurrencesPageSchema,
  pageQuerySchema,
  scheduleInputSchema,
  schedulePreviewBodySchema,
  schedulePreviewSchema,
  scheduleSchema,
  schedulesSchema,
  type Schedule,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { cronFor, cronOf, nextFireTimes, ScheduleSpecError } from '../schedules/spec.js';
import type { ScheduleRow } from '../schedules/store.js';

export function scheduleRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const present = (s: ScheduleRow): Schedule => {
      const last = ctx.schedules.lastOccurrence(s.id);
      return {
        ...s,
        cron: cronFor(s.spec),
        nextRuns: ctx.scheduler.nextRuns(s),
        lastOccurrence: last ? { scheduledFor: last.scheduledFor, outcome: last.outcome, runId: last.runId, reason: last.reason } : null,
      };
    };
    /** With the job queue, the saved schedule is copied to it (its occurrences are the workers'). */
    const toQueue = async (s: ScheduleRow | { removed: number }) => {
      if (!ctx.manager.queuedRuns()) return;
      const q = ctx.queueSchedules;
      if ('removed' in s) await q.tryApply(() => q.remove(s.removed), `schedule#${s.removed}`);
      else await q.tryApply(() => q.apply(s), `schedule#${s.id}`);
    };
    /** With the job queue, the occurrences workers fired join the history before it is shown. */
    const withWorkerOccurrences = async () => {
      if (ctx.manager.queuedRuns()) ctx.queueSchedules.recordWorkerOccurrences(await ctx.runs.scheduledRuns());
    };
    /** The spec and time zone must make a calendar; the refusal names the field. */
    const check = (spec: ScheduleRow['spec'], timezone: string): { field: string; message: string } | null => {
      try {
        cronOf(spec, timezone);
        return null;
      } catch (err) {
        if (err instanceof ScheduleSpecError) return { field: err.field, message: err.message };
        throw err;
      }
    };

    app.get('/schedules', { config: { access: 'viewer' }, schema: { tags: ['schedules'], summary: 'Schedules with their next five fire times', response: { 200: schedulesSchema } } }, async () => {
      await withWorkerOccurrences();
      return { items: ctx.schedules.list().map(present) };
    });

    app.post(
      '/schedules/preview',
      { config: { access: 'viewer' }, schema: { tags: ['schedules'], summary: 'The next five fire times of a spec (nothing saved)', body: schedulePreviewBodySchema, response: { 200: schedulePreviewSchema, 400: errorBodySchema } } },
      async (req, reply) => {
        const bad = check(req.body.spec, req.body.timezone);
        if (bad) return reply.code(400).send(refusal('bad_request', bad.message, bad.field));
        return { cron: cronFor(req.body.spec), nextRuns: nextFireTimes(req.body.spec, req.body.timezone, new Date(), req.body.count).map((d) => d.toISOString()) };
      },
    );

    app.get(
      '/schedules/:id/next',
      {
        config: { access: 'viewer' },
        schema: { tags: ['schedules'], summary: "A saved schedule's next N fire times (empty when disabled)", params: idParamsSchema, querystring: nextRunsQuerySchema, response: { 200: schedulePreviewSchema, 404: errorBodySchema } },
      },
      async (req, reply) => {
        const s = ctx.schedules.get(req.params.id);
        if (!s) return reply.code(404).send(refusal('not_found', `schedule #${req.params.id} does not exist`));
        return { cron: cronFor(s.spec), nextRuns: ctx.scheduler.nextRuns(s, req.query.count) };
      },
    );

    app.post(
      '/schedules',
      { config: { access: 'operator' }, schema: { tags: ['schedules'], summary: 'Create a schedule', body: scheduleInputSchema, response: { 201: scheduleSchema, 400: errorBodySchema } } },
      async (req, reply) => {
        const bad = check(req.body.spec, req.body.timezone);
        if (bad) return reply.code(400).send(refusal('bad_request', bad.message, bad.field));
        const s = ctx.schedules.create(req.body);
        await toQueue(s);
        ctx.audit.record(req.principal!.actor, 'schedule.create', `schedule#${s.id}`, { name: s.name, cron: cronFor(s.spec), timezone: s.timezone, mode: s.mode, enabled: s.enabled });
        return reply.code(201).send(present(s));
      },
    );

    app.put(
      '/schedules/:id',
      { config: { access: 'operator' }, schema: { tags: ['schedules'], summary: 'Change a schedule (also enable / disable)', params: idParamsSchema, body: scheduleInputSchema, response: { 200: scheduleSchema, 400: errorBodySchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const bad = check(req.body.spec, req.body.timezone);
        if (bad) return reply.code(400).send(refusal('bad_request', bad.message, bad.field));
        const s = ctx.schedules.update(req.params.id, req.body);
        if (!s) return reply.code(404).send(refusal('not_found', `schedule #${req.params.id} does not exist`));
        await toQueue(s);
        ctx.audit.record(req.principal!.actor, 'schedule.update', `schedule#${s.id}`, { name: s.name, cron: cronFor(s.spec), timezone: s.timezone, mode: s.mode, enabled: s.enabled });
        return present(s);
      },
    );

    app.delete(
      '/schedules/:id',
      { config: { access: 'operator' }, schema: { tags: ['schedules'], summary: 'Delete a schedule', params: idParamsSchema, response: { 204: z.null(), 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.schedules.delete(req.params.id)) return reply.code(404).send(refusal('not_found', `schedule #${req.params.id} does not exist`));
        await toQueue({ removed: req.params.id });
        ctx.audit.record(req.principal!.actor, 'schedule.delete', `schedule#${req.params.id}`);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/schedules/:id/occurrences',
      { config: { access: 'viewer' }, schema: { tags: ['schedules'], summary: "A schedule's fired, skipped and failed slots", params: idParamsSchema, querystring: pageQuerySchema, response: { 200: occurrencesPageSchema, 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.schedules.get(req.params.id)) return reply.code(404).send(refusal('not_found', `schedule #${req.params.id} does not exist`));
        await withWorkerOccurrences();
        const { page, pageSize } = req.query;
        return { ...ctx.schedules.occurrences(req.params.id, page, pageSize), page, pageSize };
      },
    );
  };
}
