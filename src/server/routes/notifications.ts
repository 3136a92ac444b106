/** Notification channels (with Send test and deliveries) and rules. Admin only. */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  channelCreatedSchema,
  channelInputSchema,
  channelSchema,
  channelsSchema,
  deliveriesPageSchema,
  errorBodySchema,
  idParamsSchema,
  pageQuerySchema,
  ruleInputSchema,
  ruleSchema,
  rulesSchema,
  testSendSchema,
} from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';

export function notificationRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const access = { access: 'admin' as const };
    const newSecret = () => randomBytes(24).toString('base64url');

    app.get('/channels', { config: access, schema: { tags: ['notifications'], summary: 'Notification channels', response: { 200: channelsSchema } } }, async () => ({
      items: ctx.notify.listChannels().map((c) => ctx.notify.publicChannel(c)),
    }));

    app.post(
      '/channels',
      { config: access, schema: { tags: ['notifications'], summary: 'Add a channel (a webhook secret is generated and shown once when not given)', body: channelInputSchema, response: { 201: channelCreatedSchema, 400: errorBodySchema } } },
      async (req, reply) => {
        const settings = ctx.notify.settingsFrom(req.body, null, newSecret);
        if ('missing' in settings) return reply.code(400).send(refusal('bad_request', `${settings.missing} is required for a ${req.body.type} channel`, settings.missing));
        const c = ctx.notify.createChannel(req.body.name, req.body.enabled ?? true, settings);
        ctx.audit.record(req.principal!.actor, 'channel.create', `channel#${c.id}`, { name: c.name, type: settings.type });
        const generated = settings.type === 'webhook' && req.body.type === 'webhook' && !req.body.secret ? settings.secret : null;
        return reply.code(201).send({ ...ctx.notify.publicChannel(c), secretOnce: generated });
      },
    );

    app.put(
      '/channels/:id',
      { config: access, schema: { tags: ['notifications'], summary: 'Change a channel (omitted secrets are kept)', params: idParamsSchema, body: channelInputSchema, response: { 200: channelSchema, 400: errorBodySchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const previous = ctx.notify.getChannel(req.params.id);
        if (!previous) return reply.code(404).send(refusal('not_found', `channel #${req.params.id} does not exist`));
        const settings = ctx.notify.settingsFrom(req.body, previous, newSecret);
        if ('missing' in settings) return reply.code(400).send(refusal('bad_request', `${settings.missing} is required for a ${req.body.type} channel`, settings.missing));
        const c = ctx.notify.updateChannel(req.params.id, req.body.name, req.body.enabled ?? true, settings)!;
        ctx.audit.record(req.principal!.actor, 'channel.update', `channel#${c.id}`, { name: c.name, type: settings.type });
        return ctx.notify.publicChannel(c);
      },
    );

    app.delete(
      '/channels/:id',
      { config: access, schema: { tags: ['notifications'], summary: 'Delete a channel', params: idParamsSchema, response: { 204: z.null(), 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.notify.deleteChannel(req.params.id)) return reply.code(404).send(refusal('not_found', `channel #${req.params.id} does not exist`));
        ctx.audit.record(req.principal!.actor, 'channel.delete', `channel#${req.params.id}`);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/channels/:id/test',
      { config: access, schema: { tags: ['notifications'], summary: 'Send a test message', params: idParamsSchema, response: { 200: testSendSchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const result = await ctx.notifier.sendTest(req.params.id);
        if (!result) return reply.code(404).send(refusal('not_found', `channel #${req.params.id} does not exist`));
        ctx.audit.record(req.principal!.actor, 'channel.test', `channel#${req.params.id}`, { ok: result.ok });
        return result;
      },
    );

    app.get(
      '/channels/:id/deliveries',
      { config: access, schema: { tags: ['notifications'], summary: "A channel's deliveries (errors included)", params: idParamsSchema, querystring: pageQuerySchema, response: { 200: deliveriesPageSchema, 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.notify.getChannel(req.params.id)) return reply.code(404).send(refusal('not_found', `channel #${req.params.id} does not exist`));
        const { page, pageSize } = req.query;
        return { ...ctx.notify.deliveries(req.params.id, page, pageSize), page, pageSize };
      },
    );

    const unknownChannel = (ids: number[]): string | null => {
      const missing = ids.filter((id) => !ctx.notify.getChannel(id));
      return missing.length > 0 ? `no channel ${missing.map((m) => `#${m}`).join(', ')}` : null;
    };

    app.get('/rules', { config: access, schema: { tags: ['notifications'], summary: 'Notification rules', response: { 200: rulesSchema } } }, async () => ({
      items: ctx.notify.listRules().map((r) => ctx.notify.publicRule(r)),
    }));

    app.post(
      '/rules',
      { config: access, schema: { tags: ['notifications'], summary: 'Add a rule', body: ruleInputSchema, response: { 201: ruleSchema, 400: errorBodySchema } } },
      async (req, reply) => {
        const bad = unknownChannel(req.body.channelIds);
        if (bad) return reply.code(400).send(refusal('bad_request', bad, 'body.channelIds'));
        const r = ctx.notify.createRule({ kind: req.body.kind, threshold: req.body.threshold, channelIds: req.body.channelIds, enabled: req.body.enabled });
        ctx.audit.record(req.principal!.actor, 'rule.create', `rule#${r.id}`, { kind: r.kind, threshold: r.threshold, channelIds: r.channelIds });
        return reply.code(201).send(ctx.notify.publicRule(r));
      },
    );

    app.put(
      '/rules/:id',
      { config: access, schema: { tags: ['notifications'], summary: 'Change a rule', params: idParamsSchema, body: ruleInputSchema, response: { 200: ruleSchema, 400: errorBodySchema, 404: errorBodySchema } } },
      async (req, reply) => {
        const bad = unknownChannel(req.body.channelIds);
        if (bad) return reply.code(400).send(refusal('bad_request', bad, 'body.channelIds'));
        const r = ctx.notify.updateRule(req.params.id, { kind: req.body.kind, threshold: req.body.threshold, channelIds: req.body.channelIds, enabled: req.body.enabled });
        if (!r) return reply.code(404).send(refusal('not_found', `rule #${req.params.id} does not exist`));
        ctx.audit.record(req.principal!.actor, 'rule.update', `rule#${r.id}`, { kind: r.kind, threshold: r.threshold, channelIds: r.channelIds, enabled: r.enabled });
        return ctx.notify.publicRule(r);
      },
    );

    app.delete(
      '/rules/:id',
      { config: access, schema: { tags: ['notifications'], summary: 'Delete a rule', params: idParamsSchema, response: { 204: z.null(), 404: errorBodySchema } } },
      async (req, reply) => {
        if (!ctx.notify.deleteRule(req.params.id)) return reply.code(404).send(refusal('not_found', `rule #${req.params.id} does not exist`));
        ctx.audit.record(req.principal!.actor, 'rule.delete', `rule#${req.params.id}`);
        return reply.code(204).send(null);
      },
    );
  };
}
