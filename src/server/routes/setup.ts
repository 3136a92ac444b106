/**
 * First run: `ferry serve` on an empty folder prints a one-time setup link; whoever opens it
 * creates the first admin (the token proves access to the server's terminal), then the wizard
 * walks through the connections, the mapping, the bootstrap, a dry run, the first run, a
 * schedule and notifications. Its position is kept so it can be left and resumed. The bootstrap
 * step uses the Bootstrap page's API (GET /bootstrap/plan, POST /bootstrap/apply in
 * routes/mapping.ts), so there is one plan and one per-item result for both.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  errorBodySchema,
  meSchema,
  SESSION_COOKIE,
  setupAdminBodySchema,
  setupPresetsSchema,
  setupPreviewBodySchema,
  setupPreviewSchema,
  setupStatusSchema,
  setupStepBodySchema,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { SetupStore } from '../setup/setup-store.js';
import { scrubSecrets } from '../../logging.js';
import { PRESETS } from '../../mapping/presets.js';

export function setupRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const store = new SetupStore(ctx.db);
    await app.register(setupPreviewRoute(ctx));

    app.get('/setup', { config: { access: 'public' }, schema: { tags: ['setup'], summary: 'Whether the first admin is still to be created, and where the wizard stands', response: { 200: setupStatusSchema } } }, async () => {
      const w = store.wizard();
      return { needsAdmin: ctx.auth.countUsers() === 0, configExists: ctx.configFile?.exists() ?? true, step: w && w.step !== 'done' ? w.step : null, completed: w?.completed ?? [] };
    });

    app.post(
      '/setup/admin',
      {
        config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: { tags: ['setup'], summary: 'Create the first admin with the one-time token `ferry serve` printed; signs in', body: setupAdminBodySchema, response: { 200: meSchema, 403: errorBodySchema, 409: errorBodySchema } },
      },
      async (req, reply) => {
        if (ctx.auth.countUsers() > 0) return reply.code(409).send(refusal('conflict', 'the Console has its first admin already; sign in instead'));
        if (!store.spendToken(req.body.token)) {
          ctx.audit.record(`anonymous (${req.ip})`, 'setup.token.refused', null);
          return reply.code(403).send(refusal('forbidden', 'this setup link is not valid (it works once); restart ferry serve for a new one', 'body.token'));
        }
        const user = await ctx.auth.addUser(req.body.name, 'admin', req.body.password);
        ctx.audit.record(`user:${user.name}`, 'setup.admin', `user:${user.name}`);
        store.saveWizard({ step: 'pim', completed: ['admin'], data: {} });
        const { sessionId, csrfToken } = ctx.auth.createSession(user.id);
        reply.setCookie(SESSION_COOKIE, sessionId, { path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.secureCookies || req.protocol === 'https', maxAge: 12 * 60 * 60 });
        return { user: { id: user.id, name: user.name, role: user.role }, csrfToken, demo: ctx.demo };
      },
    );

    app.get('/setup/wizard', { config: { access: 'admin' }, schema: { tags: ['setup'], summary: "The wizard's saved position and its non-secret data", response: { 200: setupStepBodySchema } } }, async () => {
      const w = store.wizard();
      return w ?? { step: 'pim' as const, completed: [], data: {} };
    });

    app.put('/setup/wizard', { config: { access: 'admin' }, schema: { tags: ['setup'], summary: "Save the wizard's position (left and resumed later)", body: setupStepBodySchema, response: { 200: setupStepBodySchema } } }, async (req) => {
      const before = store.wizard();
      const state = { step: req.body.step, completed: req.body.completed ?? before?.completed ?? [], data: { ...(before?.data ?? {}), ...(req.body.data ?? {}) } };
      store.saveWizard(state);
      if (req.body.step === 'done' && before?.step !== 'done') ctx.audit.record(req.principal!.actor, 'setup.done', null);
      return state;
    });

    app.get('/setup/presets', { config: { access: 'admin' }, schema: { tags: ['setup'], summary: 'Mapping presets', response: { 200: setupPresetsSchema } } }, async () => ({ presets: Object.keys(PRESETS) }));
  };
}

/** What the bootstrap step creates: before it, these are expected, not the mapping's problems. */
const LACKING = new Set(['unknown_attribute', 'unknown_family']);

/** `ferry map --sample`: a few items with a candidate mapping; nothing written anywhere. */
export function setupPreviewRoute(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/setup/preview',
      { config: { access: 'admin' }, schema: { tags: ['setup'], summary: 'A few ERP items mapped with a candidate mapping (nothing written)', body: setupPreviewBodySchema, response: { 200: setupPreviewSchema, 400: errorBodySchema } } },
      async (req, reply) => {
        const { mappingConfigSchema } = await import('../../mapping/config.js');
        const parsed = mappingConfigSchema.safeParse(req.body.mapping);
        if (!parsed.success) return reply.code(400).send(refusal('bad_request', `mapping: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'body.mapping'));
        const { loadPimStructure, createMapper, checkMapping } = await import('../../mapping/index.js');
        const { createErpSource } = await import('../../erp/factory.js');
        const source = createErpSource(ctx.config.erp, { readOnly: true });
        try {
          const pim = await loadPimStructure(ctx.manager.pimClient());
          const items = [];
          for await (const r of source.read('items', { limit: req.body.sample })) items.push(r);
          const groupKeys = [...new Set(items.map((r) => r.group).filter((g): g is string => !!g))];
          const groups = new Map();
          if (groupKeys.length && source.streams.includes('groups')) for await (const g of source.read('groups', { keys: groupKeys })) groups.set(g.key, g);
          const result = createMapper(parsed.data, pim).mapItems(items, groups);
          // Identity skips a described field whose attribute the PIM lacks without an error; the
          // bootstrap step creates it, so the preview says so (else name, colour… silently vanish).
          const identityLacking = checkMapping(parsed.data, pim, await source.describe()).filter((p) => p.code === 'unmapped_field' && p.attribute).map((p) => `attribute ${p.attribute}`);
          return {
            items: items.length,
            entities: result.entities.map((e) => ({
              kind: e.kind,
              code: e.kind === 'product' ? e.identifier : e.code,
              family: 'family' in e ? (e.family ?? null) : null,
              parent: 'parent' in e ? (e.parent ?? null) : null,
              values: 'values' in e ? e.values : null,
            })),
            errors: result.errors.filter((e) => !LACKING.has(e.kind)).map((e) => ({ record: e.recordLabel, attribute: e.attribute ?? null, message: e.message, fix: e.fix })),
            toCreate: [...new Set([...result.errors.filter((e) => LACKING.has(e.kind)).map((e) => (e.kind === 'unknown_family' ? `family ${e.value ?? e.attribute ?? '?'}` : `attribute ${e.attribute ?? '?'}`)), ...identityLacking])].sort(),
          };
        } catch (err) {
          return reply.code(400).send(refusal('bad_request', scrubSecrets(`the preview could not be made: ${err instanceof Error ? err.message : String(err)}`)));
        } finally {
          await source.close().catch(() => undefined);
        }
      },
    );
  };
}

/** A fresh one-time token for the setup link (when the Console has no user yet). */
export function issueSetupToken(ctx: ConsoleContext): string {
  return new SetupStore(ctx.db).issueToken();
}
