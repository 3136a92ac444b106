/**
 * The Mapping and Bootstrap pages' API: the mapping table (saved or draft), a live preview of a
 * draft on sample ERP records (`ferry map`), the Check button (`ferry check`), and the bootstrap
 * plan and its application (`ferry pim bootstrap`). Saving goes through PUT /config.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ErpSource } from '../../erp/port.js';
import { scrubSecrets } from '../../logging.js';
import { mappingConfigSchema, type MappingConfig } from '../../mapping/config.js';
import {
  bootstrapApplyBodySchema,
  bootstrapApplySchema,
  bootstrapPlanViewSchema,
  errorBodySchema,
  mappingCheckSchema,
  mappingDraftBodySchema,
  mappingOverviewSchema,
  mappingPreviewBodySchema,
  mappingPreviewSchema,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { DraftInvalid, MappingWorkbench, PlanChanged } from '../mapping/workbench.js';

const text = (err: unknown) => scrubSecrets(err instanceof Error ? err.message : String(err)).slice(0, 500);

export function mappingRoutes(ctx: ConsoleContext, options: { openSource?: () => Promise<ErpSource> } = {}): FastifyPluginAsyncZod {
  return async (app) => {
    /** ferry.yaml's mapping as on disk (a save from the Console shows at once), else the config the Console started with. */
    const savedMapping = (): MappingConfig => {
      const raw = ctx.configFile?.rawSection('mapping');
      const parsed = raw ? mappingConfigSchema.safeParse(raw) : null;
      return parsed?.success ? parsed.data : ctx.config.mapping;
    };
    const bench = new MappingWorkbench({ config: () => ctx.config, savedMapping, pimClient: () => ctx.manager.pimClient(), logger: ctx.logger, ...(options.openSource ? { openSource: options.openSource } : {}) });
    /** The PIM or the ERP not answering is a 503 in words; a bad key a 400; anything else goes to the error handler. */
    const guarded = async <T>(reply: { code(n: number): { send(b: unknown): unknown } }, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        if (err instanceof DraftInvalid) return reply.code(400).send(refusal('bad_request', err.message, 'body.keys')) as never;
        if (err instanceof PlanChanged) return reply.code(409).send(refusal('conflict', err.message)) as never;
        ctx.logger.warn({ err: text(err) }, 'mapping: the PIM or the ERP could not be read');
        return reply.code(503).send(refusal('unavailable', `the PIM or the ERP could not be read: ${text(err)}`)) as never;
      }
    };
    const unavailable = { 503: errorBodySchema };

    app.get('/mapping', { config: { access: 'viewer' }, schema: { tags: ['mapping'], summary: 'The saved mapping as a table: rows, unmapped ERP fields, structure', response: { 200: mappingOverviewSchema, ...unavailable } } }, async (_req, reply) =>
      guarded(reply, () => bench.overview()),
    );

    app.post(
      '/mapping/overview',
      { config: { access: 'viewer' }, schema: { tags: ['mapping'], summary: 'The table for a draft mapping (nothing saved)', body: mappingDraftBodySchema, response: { 200: mappingOverviewSchema, ...unavailable } } },
      async (req, reply) => guarded(reply, () => bench.overview(req.body.mapping)),
    );

    app.post(
      '/mapping/preview',
      {
        config: { access: 'viewer' },
        schema: { tags: ['mapping'], summary: 'ERP records and the Akeneo payloads a draft mapping makes of them (ferry map; nothing saved or written)', body: mappingPreviewBodySchema, response: { 200: mappingPreviewSchema, 400: errorBodySchema, ...unavailable } },
      },
      async (req, reply) => guarded(reply, () => bench.preview(req.body)),
    );

    app.post(
      '/mapping/reload',
      { config: { access: 'viewer' }, schema: { tags: ['mapping'], summary: 'Read the PIM structure and a new ERP sample on the next preview', body: z.object({}).optional(), response: { 204: z.null() } } },
      async (_req, reply) => {
        bench.invalidate({ pim: true, erp: true });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/mapping/check',
      { config: { access: 'operator' }, schema: { tags: ['mapping'], summary: 'ferry check on a draft or the saved mapping: every problem with its fix and its row', body: mappingDraftBodySchema, response: { 200: mappingCheckSchema, ...unavailable } } },
      async (req, reply) => guarded(reply, () => bench.check(req.body.mapping)),
    );

    app.get('/bootstrap/plan', { config: { access: 'operator' }, schema: { tags: ['mapping'], summary: 'What ferry pim bootstrap would create, grouped', response: { 200: bootstrapPlanViewSchema, ...unavailable } } }, async (_req, reply) =>
      guarded(reply, () => bench.bootstrapPlan()),
    );

    app.post(
      '/bootstrap/apply',
      { config: { access: 'admin' }, schema: { tags: ['mapping'], summary: 'Apply the plan shown (planId), with one result per item', body: bootstrapApplyBodySchema, response: { 200: bootstrapApplySchema, 409: errorBodySchema, ...unavailable } } },
      async (req, reply) =>
        guarded(reply, async () => {
          const result = await bench.bootstrapApply(req.body.planId);
          ctx.audit.record(req.principal!.actor, 'pim.bootstrap', 'pim', { created: result.created, updated: result.updated, failed: result.failed });
          return result;
        }),
    );
  };
}
