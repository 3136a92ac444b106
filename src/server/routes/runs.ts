/** Runs: history, detail, records, rejects CSV, start, retry, cancel, live progress (SSE). */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rejectsCsv } from '../../sync/index.js';
import {
  cancelAnswerSchema,
  errorBodySchema,
  idParamsSchema,
  jobSchema,
  retryRejectedBodySchema,
  runDetailSchema,
  runRecordsPageSchema,
  runRecordsQuerySchema,
  runsPageSchema,
  runsQuerySchema,
  startedRunSchema,
  startRunBodySchema,
  type RunDone,
  type RunProgress,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { RunConflictError, runRequestFrom, type RunRequest } from '../runs/run-manager.js';

export function runRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const pimUrl = ctx.config.pim.url;

    async function startRun(request: RunRequest, actor: string, reply: FastifyReply) {
      try {
        const started = await ctx.manager.start(request, actor);
        ctx.audit.record(actor, request.dryRun ? 'run.plan' : 'run.start', started.runId !== null ? `run#${started.runId}` : started.jobId, request);
        return reply.code(202).send(started);
      } catch (err) {
        if (err instanceof RunConflictError) return reply.code(409).send(refusal('conflict', err.message));
        throw err;
      }
    }

    app.get('/runs', { config: { access: 'viewer' }, schema: { tags: ['runs'], summary: 'Run history', querystring: runsQuerySchema, response: { 200: runsPageSchema } } }, async (req) => {
      const { page, pageSize, status, mode } = req.query;
      return { ...(await ctx.runs.listRuns({ status, mode }, page, pageSize)), page, pageSize };
    });

    app.post(
      '/runs',
      {
        config: { access: 'operator' },
        schema: { tags: ['runs'], summary: 'Start a run (or a dry run)', body: startRunBodySchema, response: { 202: startedRunSchema, 409: errorBodySchema } },
      },
      async (req, reply) => startRun(runRequestFrom(req.body), req.principal!.actor, reply),
    );

    app.get(
      '/runs/:id',
      { config: { access: 'viewer' }, schema: { tags: ['runs'], summary: "A run and its report", params: idParamsSchema, response: { 200: runDetailSchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const run = await ctx.runs.getRun(req.params.id);
        if (!run) return reply.code(404).send(refusal('not_found', `run #${req.params.id} does not exist`));
        // While a run goes, the engine keeps a progress snapshot in its report column: not the report yet.
        const report = run.summary.status === 'running' ? null : (run.report as z.infer<typeof runDetailSchema>['report']);
        return { run: run.summary, report, options: run.options, pimUrl };
      },
    );

    app.get(
      '/runs/:id/records',
      {
        config: { access: 'viewer' },
        schema: { tags: ['runs'], summary: "A page of a run's records", params: idParamsSchema, querystring: runRecordsQuerySchema, response: { 200: runRecordsPageSchema, 404: errorBodySchema } },
      },
      async (req, reply) => {
        if (!(await ctx.runs.getRun(req.params.id))) return reply.code(404).send(refusal('not_found', `run #${req.params.id} does not exist`));
        const { page, pageSize, outcome, q } = req.query;
        return { ...(await ctx.runs.records(req.params.id, { outcome, q }, page, pageSize, pimUrl)), page, pageSize };
      },
    );

    app.get(
      '/runs/:id/rejects.csv',
      {
        config: { access: 'viewer' },
        schema: { tags: ['runs'], summary: "The run's rejects as CSV", params: idParamsSchema, produces: ['text/csv'], response: { 200: z.string(), 404: errorBodySchema } },
      },
      async (req, reply) => {
        if (!(await ctx.runs.getRun(req.params.id))) return reply.code(404).send(refusal('not_found', `run #${req.params.id} does not exist`));
        const csv = rejectsCsv(await ctx.state.getRejects(req.params.id));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="ferry-run-${req.params.id}-rejects.csv"`)
          .send(csv);
      },
    );

    app.post(
      '/runs/:id/retry-rejected',
      {
        config: { access: 'operator' },
        schema: { tags: ['runs'], summary: 'Run again exactly the rejected records', params: idParamsSchema, body: retryRejectedBodySchema, response: { 202: startedRunSchema, 404: errorBodySchema, 409: errorBodySchema } },
      },
      async (req, reply) => {
        if (!(await ctx.runs.getRun(req.params.id))) return reply.code(404).send(refusal('not_found', `run #${req.params.id} does not exist`));
        const { keys, categoryKeys } = await ctx.runs.rejectedRetryKeys(req.params.id);
        if (keys.length === 0 && categoryKeys.length === 0) return reply.code(409).send(refusal('conflict', `run #${req.params.id} has no rejected record to retry`));
        return startRun({ mode: 'keys', keys, ...(categoryKeys.length > 0 ? { categoryKeys } : {}), dryRun: req.body.dryRun }, req.principal!.actor, reply);
      },
    );

    app.post(
      '/runs/:id/cancel',
      { config: { access: 'operator' }, schema: { tags: ['runs'], summary: 'Stop a run gracefully', params: idParamsSchema, response: { 202: cancelAnswerSchema, 409: errorBodySchema } } },
      async (req, reply) => {
        const actor = req.principal!.actor;
        // A run of this server stops through its signal; a terminal's run and a queued run's parts poll the state for the request.
        if (!ctx.manager.cancel(req.params.id, actor) && !(await ctx.manager.requestCancelElsewhere(req.params.id, actor))) {
          return reply.code(409).send(refusal('conflict', `run #${req.params.id} is not going (or its process is gone); nothing to stop`));
        }
        ctx.audit.record(actor, 'run.cancel', `run#${req.params.id}`);
        return reply.code(202).send({ cancelling: true as const });
      },
    );

    app.get(
      '/jobs/:jobId',
      { config: { access: 'viewer' }, schema: { tags: ['runs'], summary: 'A run started from this Console (a dry run keeps its plan here)', params: z.object({ jobId: z.string() }), response: { 200: jobSchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const job = ctx.manager.job(req.params.jobId);
        if (!job) return reply.code(404).send(refusal('not_found', `no job ${req.params.jobId} (jobs are kept an hour after they end)`));
        return ctx.manager.describe(job);
      },
    );

    app.get(
      '/runs/:id/events',
      {
        config: { access: 'viewer' },
        schema: { tags: ['runs'], summary: 'Live progress (Server-Sent Events: progress …, done)', params: z.object({ id: z.string().regex(/^(\d+|job-[0-9a-f]+)$/, 'a run id or a job id') }), produces: ['text/event-stream'] },
      },
      async (req, reply) => {
        const idText = req.params.id;
        const job = ctx.manager.job(/^\d+$/.test(idText) ? Number(idText) : idText);
        const runId = /^\d+$/.test(idText) ? Number(idText) : (job?.runId ?? null);
        const run = runId !== null ? await ctx.runs.getRun(runId) : null;
        if (!job && !run) return reply.code(404).send(refusal('not_found', `no run or job ${idText}`));
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        if (job) {
          send('progress', job.last);
          if (job.done) {
            send('done', job.done);
            raw.end();
            return;
          }
          const unsubscribe = ctx.manager.subscribe(job, {
            progress: (p: RunProgress) => send('progress', p),
            done: (d: RunDone) => {
              send('done', d);
              unsubscribe();
              clearInterval(keepAlive);
              raw.end();
            },
          });
          const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
          req.raw.on('close', () => {
            unsubscribe();
            clearInterval(keepAlive);
          });
          return;
        }
        // A run this server does not run (a terminal's, or finished): the state tells.
        const poll = async (): Promise<boolean> => {
          const now = await ctx.runs.getRun(runId!);
          if (!now) return true;
          if (now.summary.status !== 'running') {
            send('done', { runId, jobId: null, status: now.summary.status, counts: now.summary.counts, error: (now.report as { error?: string } | null)?.error ?? null });
            return true;
          }
          // The engine's heartbeat snapshot (every 10 s) has the counts settled so far and the requests.
          const snap = now.report as { counts?: { read: number }; requests?: { total: number; throttled: number } } | null;
          const settled = snap?.counts?.read ?? (await ctx.runs.settledSoFar(runId!));
          send('progress', {
            runId,
            jobId: null,
            phase: 'items',
            read: settled,
            settled,
            requests: snap?.requests?.total ?? 0,
            throttled: snap?.requests?.throttled ?? 0,
            elapsedMs: Date.now() - Date.parse(now.summary.startedAt),
            etaSeconds: null,
            cancelling: (await ctx.manager.cancelRequested(runId!)) !== null,
          });
          return false;
        };
        if (await poll()) {
          raw.end();
          return;
        }
        // One poll at a time: the next waits for the last (a slow state must not pile reads up).
        let closed = false;
        let timer: NodeJS.Timeout | null = null;
        const next = () => {
          timer = setTimeout(() => {
            poll().then(
              (done) => {
                if (done || closed) {
                  if (!closed) raw.end();
                  return;
                }
                next();
              },
              () => (closed ? undefined : next()),
            );
          }, 2000);
        };
        next();
        req.raw.on('close', () => {
          closed = true;
          if (timer) clearTimeout(timer);
        });
      },
    );
  };
}
