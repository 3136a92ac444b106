/**
 * ferry.yaml from the Console: read (secrets redacted), save by text or by key paths (409 when
 * the file changed since it was loaded, 422 with every refused key path), secrets (write-only),
 * and the history of saves with restore.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  configConflictSchema,
  configFileSchema,
  configHistoryDetailSchema,
  configHistoryPageSchema,
  configInvalidSchema,
  configRestoreBodySchema,
  configSavedSchema,
  configSaveBodySchema,
  errorBodySchema,
  idParamsSchema,
  pageQuerySchema,
  secretBodySchema,
  secretParamsSchema,
  secretsSchema,
  type ConfigSaved,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import { ConfigConflictError, ConfigInvalidError, type ConfigFileService } from '../config/config-file.js';
import type { ConsoleContext } from '../context.js';
import { SecretsError } from '../../config/secrets.js';

export function configRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const service = (reply: FastifyReply): ConfigFileService | null => {
      if (ctx.configFile) return ctx.configFile;
      void reply.code(404).send(refusal('not_found', 'this Console was started without a config file of its own (ferry serve --config FILE; in a deployment, a connection written inline in the deployment file is edited there, by hand)'));
      return null;
    };
    /** Runs a save; the refusals are the contract's 409 and 422 (typed loosely: fastify checks each answer against its status code's schema). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const saving = async (reply: FastifyReply, actor: string, action: string, run: () => ConfigSaved | null): Promise<any> => {
      try {
        const saved = run();
        if (saved === null) return reply.code(404).send(refusal('not_found', 'no such history entry'));
        if (saved.saved) {
          ctx.audit.record(actor, action, 'ferry.yaml', { version: saved.version.slice(0, 12), historyId: saved.historyId });
          await ctx.onConfigSaved?.();
        }
        return saved;
      } catch (err) {
        if (err instanceof ConfigConflictError) return reply.code(409).send({ ...refusal('conflict', err.message), currentVersion: err.currentVersion });
        if (err instanceof ConfigInvalidError) return reply.code(422).send({ errors: err.problems });
        if (err instanceof SecretsError) return reply.code(422).send({ errors: [{ path: '(secrets)', message: err.message }] });
        throw err;
      }
    };

    app.get('/config', { config: { access: 'operator' }, schema: { tags: ['config'], summary: 'ferry.yaml as written (secrets redacted), its version and problems', response: { 200: configFileSchema, 404: errorBodySchema } } }, async (_req, reply) => {
      const s = service(reply);
      return s ? s.read() : reply;
    });

    app.put(
      '/config',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['config'],
          summary: 'Save ferry.yaml (whole text or key-path changes); validated first, refused when the file changed since baseVersion',
          body: configSaveBodySchema,
          response: { 200: configSavedSchema, 404: errorBodySchema, 409: configConflictSchema, 422: configInvalidSchema },
        },
      },
      async (req, reply) => {
        const s = service(reply);
        if (!s) return reply;
        return saving(reply, req.principal!.actor, 'config.save', () => s.save(req.principal!.actor, req.body));
      },
    );

    app.get('/config/secrets', { config: { access: 'operator' }, schema: { tags: ['config'], summary: 'Names of the stored secrets (never their values)', response: { 200: secretsSchema, 404: errorBodySchema } } }, async (_req, reply) => {
      const s = service(reply);
      return s ? { items: s.read().secrets } : reply;
    });

    app.put(
      '/config/secrets/:name',
      { config: { access: 'admin' }, schema: { tags: ['config'], summary: 'Store a secret (write-only); reference it as ${secret:NAME}', params: secretParamsSchema, body: secretBodySchema, response: { 204: z.null(), 404: errorBodySchema, 422: configInvalidSchema } } },
      async (req, reply) => {
        const s = service(reply);
        if (!s) return reply;
        try {
          s.setSecret(req.params.name, req.body.value);
        } catch (err) {
          if (err instanceof SecretsError) return reply.code(422).send({ errors: [{ path: '(secrets)', message: err.message }] });
          throw err;
        }
        ctx.audit.record(req.principal!.actor, 'config.secret.set', `secret:${req.params.name}`);
        return reply.code(204).send(null);
      },
    );

    app.get('/config/history', { config: { access: 'operator' }, schema: { tags: ['config'], summary: 'Saves of ferry.yaml from the Console: who, when, lines changed', querystring: pageQuerySchema, response: { 200: configHistoryPageSchema, 404: errorBodySchema } } }, async (req, reply) => {
      const s = service(reply);
      if (!s) return reply;
      return { ...s.history(req.query.page, req.query.pageSize), page: req.query.page, pageSize: req.query.pageSize };
    });

    app.get('/config/history/:id', { config: { access: 'operator' }, schema: { tags: ['config'], summary: 'One save: its diff and the text it wrote (secrets redacted)', params: idParamsSchema, response: { 200: configHistoryDetailSchema, 404: errorBodySchema } } }, async (req, reply) => {
      const s = service(reply);
      if (!s) return reply;
      return s.historyEntry(req.params.id) ?? reply.code(404).send(refusal('not_found', `config history entry #${req.params.id} does not exist`));
    });

    app.post(
      '/config/history/:id/restore',
      {
        config: { access: 'admin' },
        schema: { tags: ['config'], summary: 'Write that version back (a new save, validated like any other)', params: idParamsSchema, body: configRestoreBodySchema, response: { 200: configSavedSchema, 404: errorBodySchema, 409: configConflictSchema, 422: configInvalidSchema } },
      },
      async (req, reply) => {
        const s = service(reply);
        if (!s) return reply;
        return saving(reply, req.principal!.actor, 'config.restore', () => s.restore(req.principal!.actor, req.params.id, req.body.baseVersion));
      },
    );
  };
}
