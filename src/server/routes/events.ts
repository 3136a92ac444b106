/**
 * The receiver of Akeneo's events (public: Akeneo signs instead of signing in):
 * POST /api/v1/events/akeneo (or /api/v1/events/platform, the same): the Events API (a Connection's
 * event subscription) and the Event Platform's HTTPS destination (one CloudEvents envelope a request).
 * Each delivery is checked (HMAC signature of the raw body with `events.secret`, timestamp at
 * most `events.maxAgeSeconds` old), parsed, handed to the intake and answered at once (Akeneo
 * waits 5 s at most): the export runs later, off the request (src/server/events/intake.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { apiDeliverySchema, fromApiDelivery, fromPlatformEvent, platformEventSchema, type ProductEvent } from '../events/parse.js';
import { verifyDelivery } from '../events/verify.js';

export function eventRoutes(ctx: ConsoleContext): FastifyPluginAsync {
  return async (app) => {
    // The signature covers the exact bytes: keep the body as text here (this plugin only).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

    const receive = (req: FastifyRequest, reply: FastifyReply, toEvents: (parsed: unknown) => { events: ProductEvent[] } | { error: string }) => {
      const settings = ctx.config.events;
      const intake = ctx.events;
      if (!settings || !intake) {
        return reply.code(404).send(refusal('not_found', 'this Console receives no Akeneo events: add events.secret to ferry.yaml (see docs/export.md, "Events") and restart ferry serve'));
      }
      const raw = typeof req.body === 'string' ? req.body : '';
      const check = verifyDelivery(req.headers, raw, settings.secret, settings.maxAgeSeconds);
      if (!check.ok) {
        ctx.logger.warn({ route: req.url, reason: check.code }, 'Akeneo event delivery refused');
        return reply.code(check.status).send(refusal('unauthorized', check.message));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return reply.code(400).send(refusal('bad_request', 'the body is not JSON'));
      }
      const out = toEvents(parsed);
      if ('error' in out) return reply.code(400).send(refusal('bad_request', out.error));
      const result = intake.accept(out.events);
      return reply.code(200).send({ received: out.events.length, ...result });
    };

    const issue = (e: z.ZodError): string => {
      const first = e.issues[0];
      return `body.${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`;
    };

    /** Either format: an Events API delivery has `events`, an Event Platform one is a CloudEvents envelope. */
    const anyFormat = (parsed: unknown): { events: ProductEvent[] } | { error: string } => {
      if (parsed !== null && typeof parsed === 'object' && 'specversion' in parsed) {
        const body = platformEventSchema.safeParse(parsed);
        if (!body.success) return { error: `${issue(body.error)} (an Event Platform delivery is one CloudEvents envelope)` };
        const e = fromPlatformEvent(body.data);
        return { events: e ? [e] : [] };
      }
      const body = apiDeliverySchema.safeParse(parsed);
      return body.success ? { events: fromApiDelivery(body.data) } : { error: `${issue(body.error)} (an Events API delivery is {"events":[…]}, an Event Platform one has "specversion")` };
    };

    // One URL takes both (a Connection's Events API URL and an Event Platform HTTPS destination);
    // /events/platform is the same receiver under a name that says what it is for.
    for (const url of ['/events/akeneo', '/events/platform']) {
      app.post(url, { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => receive(req, reply, anyFormat));
    }
  };
}
