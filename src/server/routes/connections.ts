/** The Connections page: forms generated from the config schemas, and the PIM / ERP Test buttons. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { connectionFormsSchema, connectionTestBodySchema, erpTestResultSchema, pimTestResultSchema } from '../api/contract.js';
import { connectionForms, testErp, testPim, type TestInput } from '../config/connections.js';
import type { ConsoleContext } from '../context.js';

export function connectionRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const forms = connectionForms();
    app.get('/connections/forms', { config: { access: 'operator' }, schema: { tags: ['connections'], summary: "The PIM form and each ERP adapter's form, as JSON Schema (help texts in description)", response: { 200: connectionFormsSchema } } }, async () => forms);

    const input = (name: 'pim' | 'erp', body: { section?: Record<string, unknown> | undefined; secrets?: Record<string, string> | undefined }): TestInput => ({
      section: body.section,
      secrets: body.secrets,
      // Without a file (a Console started from a config object) the loaded section is the saved one.
      saved: ctx.configFile ? ctx.configFile.rawSection(name) : (ctx.config[name] as unknown as Record<string, unknown>),
      configFile: ctx.configFile?.file ?? 'ferry.yaml',
      env: ctx.configFile?.environment ?? process.env,
    });

    // Admin only: a candidate section may point a stored secret at any address.
    app.post(
      '/connections/pim/test',
      { config: { access: 'admin' }, schema: { tags: ['connections'], summary: 'What `ferry pim check` does, on the form values or the saved ones; the answer in plain words', body: connectionTestBodySchema, response: { 200: pimTestResultSchema } } },
      async (req) => {
        const r = await testPim(input('pim', req.body));
        ctx.audit.record(req.principal!.actor, 'connection.test', 'pim', { ok: r.ok, kind: r.failure?.kind ?? null });
        return r;
      },
    );
    app.post(
      '/connections/erp/test',
      { config: { access: 'admin' }, schema: { tags: ['connections'], summary: 'What `ferry erp check` does, on the form values or the saved ones; the answer in plain words', body: connectionTestBodySchema, response: { 200: erpTestResultSchema } } },
      async (req) => {
        const r = await testErp(input('erp', req.body));
        ctx.audit.record(req.principal!.actor, 'connection.test', 'erp', { ok: r.ok, kind: r.failure?.kind ?? null });
        return r;
      },
    );
  };
}
