/**
 * The "PIM → ERP" page's API: the products of each export status, read from the PIM with a
 * search on the status attribute (the PIM is the truth, as Julia sees it in its grid), the fix
 * of each refused one from the export run that refused it; "Export now" and "retry one".
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AkeneoClient } from '../../akeneo/index.js';
import { search } from '../../akeneo/index.js';
import type { Product } from '../../akeneo/model.js';
import { scrubSecrets } from '../../logging.js';
import {
  errorBodySchema,
  EXPORT_STATUSES,
  exportOverviewSchema,
  exportProductParamsSchema,
  startedRunSchema,
  startExportBodySchema,
  type ExportOverview,
  type ExportProduct,
  type ExportStatus,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { RunConflictError } from '../runs/run-manager.js';

/** Products listed per status (the PIM's grid holds the rest). */
const LISTED = 50;

function plain(p: Product, attribute: string): string | null {
  const v = p.values?.[attribute]?.find((e) => (e.locale ?? null) === null && (e.scope ?? null) === null)?.data;
  return typeof v === 'string' && v !== '' ? v : null;
}

export function pimToErpRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const exportConfig = ctx.config.export;
    const statusAttribute = exportConfig?.status.attribute ?? 'erp_status';

    /** The fix the last export run that refused the product gave (its rejects name the SKU or the uuid). */
    const fixOf = async (keys: (string | null)[]): Promise<string | null> => {
      try {
        return await ctx.state.history().lastRejectFix('export', 'pim-products', keys.filter((k): k is string => k !== null));
      } catch {
        return null;
      }
    };

    const listStatus = async (client: AkeneoClient, identifierAttribute: string, status: ExportStatus) => {
      const items: ExportProduct[] = [];
      let more = false;
      for await (const p of client.products.list({ search: search().in(statusAttribute, [status]), limit: LISTED })) {
        if (items.length >= LISTED) {
          more = true;
          break;
        }
        const identifier = p.identifier ?? plain(p, identifierAttribute);
        const uuid = typeof p.uuid === 'string' ? p.uuid : null;
        items.push({
          uuid,
          identifier,
          status,
          message: exportConfig ? plain(p, exportConfig.status.message) : null,
          fix: status === 'error' ? await fixOf([identifier, uuid]) : null,
          erpId: exportConfig ? plain(p, exportConfig.status.erpId) : null,
          updated: p.updated ?? null,
        });
      }
      return { status, items, more };
    };

    app.get(
      '/export/overview',
      { config: { access: 'viewer' }, schema: { tags: ['export'], summary: 'Products waiting, exported, in the ERP and in error (read from the PIM)', response: { 200: exportOverviewSchema, 502: errorBodySchema } } },
      async (_req, reply) => {
        const intake = ctx.events ?? null;
        const events: ExportOverview['events'] =
          intake && ctx.config.events
            ? { accepted: intake.stats.accepted, duplicates: intake.stats.duplicates, own: intake.stats.own, exportsTriggered: intake.stats.exportsTriggered, debounceSeconds: ctx.config.events.debounceSeconds }
            : null;
        if (!exportConfig) {
          return {
            configured: false,
            why: 'ferry.yaml has no export: section: add one (the ERP fields and the PIM attributes they come from) to send products from the PIM to the ERP; see docs/export.md.',
            statusAttribute,
            groups: [],
            events,
          };
        }
        try {
          const client = ctx.manager.pimClient();
          const identifierAttribute = await client.products.identifierAttribute();
          const groups = [];
          for (const status of EXPORT_STATUSES) groups.push(await listStatus(client, identifierAttribute, status));
          return { configured: true, why: null, statusAttribute, groups, events };
        } catch (err) {
          const text = scrubSecrets(err instanceof Error ? err.message : String(err));
          return reply.code(502).send(refusal('unavailable', `the PIM did not answer the search on ${statusAttribute}: ${text}. Check the pim: section and that \`ferry pim bootstrap\` created ${statusAttribute}.`));
        }
      },
    );

    const startExport = async (keys: string[] | undefined, actor: string) => {
      const started = await ctx.manager.start({ mode: 'export', ...(keys ? { keys } : {}), dryRun: false }, actor);
      ctx.audit.record(actor, 'export.start', started.runId !== null ? `run#${started.runId}` : started.jobId, keys ? { keys } : { keys: 'all waiting' });
      return started;
    };

    app.post(
      '/export/runs',
      {
        config: { access: 'operator' },
        schema: { tags: ['export'], summary: 'Export now: every product waiting, or only these', body: startExportBodySchema, response: { 202: startedRunSchema, 400: errorBodySchema, 409: errorBodySchema } },
      },
      async (req, reply) => {
        if (!exportConfig) return reply.code(400).send(refusal('bad_request', 'ferry.yaml has no export: section; add one first (docs/export.md)'));
        try {
          return reply.code(202).send(await startExport(req.body.keys, req.principal!.actor));
        } catch (err) {
          if (err instanceof RunConflictError) return reply.code(409).send(refusal('conflict', err.message));
          throw err;
        }
      },
    );

    app.post(
      '/export/products/:key/retry',
      {
        config: { access: 'operator' },
        schema: {
          tags: ['export'],
          summary: 'Retry one product: tag it again (status to_export) and export it',
          params: exportProductParamsSchema,
          response: { 202: startedRunSchema, 400: errorBodySchema, 409: errorBodySchema, 502: errorBodySchema },
        },
      },
      async (req, reply) => {
        if (!exportConfig) return reply.code(400).send(refusal('bad_request', 'ferry.yaml has no export: section; add one first (docs/export.md)'));
        if (ctx.manager.isBusy()) return reply.code(409).send(refusal('conflict', 'a run is going; retry when it has ended'));
        const key = req.params.key;
        try {
          // As Julia would: the status back to to_export (Ferry's own write: its event triggers nothing).
          const client = ctx.manager.pimClient();
          const product = await client.products.find(key);
          if (!product) return reply.code(400).send(refusal('bad_request', `the PIM has no product ${key}`, 'params.key'));
          const keyField = (await client.products.mode()) === 'uuid' ? { uuid: key } : { identifier: key };
          await client.products.upsert({ ...keyField, values: { [statusAttribute]: [{ locale: null, scope: null, data: 'to_export' }] } } as Product);
        } catch (err) {
          const text = scrubSecrets(err instanceof Error ? err.message : String(err));
          return reply.code(502).send(refusal('unavailable', `could not set ${statusAttribute} back to to_export: ${text}`));
        }
        try {
          return reply.code(202).send(await startExport([key], req.principal!.actor));
        } catch (err) {
          if (err instanceof RunConflictError) return reply.code(409).send(refusal('conflict', err.message));
          throw err;
        }
      },
    );
  };
}
