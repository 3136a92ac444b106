/**
 * The receiver of Akeneo's events (public: Akeneo signs instead of signing in):
 * POST /api/v1/events/akeneo (or /api/v1/events/platform, the same): the Events API (a Connection's
 * event subscription) and the Event Platform's HTTPS destination (one CloudEvents envelope a request).
 * Each delivery is checked with the scheme that signed it (src/server/events/verify.ts: the Events
 * API's `X-Akeneo-Request-Signature` over `timestamp.body` with `events.secret`, at most
 * `events.maxAgeSeconds` old; the Event Platform's `X-AKENEO-SIGNATURE-PRIMARY`/`-SECONDARY` over
 * the body with `events.platformSecret`), parsed in that scheme's format, handed to the intake and
 * answered at once (Akeneo waits 5 s at most): the export runs later, off the request
 * (src/server/events/intake.ts). HEAD answers 200: a destination URL is checked that way.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { apiDeliverySchema, fromApiDelivery, fromPlatformEvent, platformEventSchema, type ProductEvent } from '../events/parse.js';
import { SEEN_KEEP_MS } from '../events/intake.js';
import { verifyDelivery, type SignatureScheme } from '../events/verify.js';

export function eventRoutes(ctx: ConsoleContext): FastifyPluginAsync {
  return async (app) => {
    // The signature covers the exact bytes: keep the body as text here (this plugin only).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

    const receive = (req: FastifyRequest, reply: FastifyReply, toEvents: (parsed: unknown, scheme: SignatureScheme) => { events: ProductEvent[] } | { error: string; status?: 400 | 401 }) => {
      const settings = ctx.config.events;
      const intake = ctx.events;
      if (!settings || !intake) {
        return reply.code(404).send(refusal('not_found', 'this Console receives no Akeneo events: add events.secret (Events API) or events.platformSecret (Event Platform) to ferry.yaml (see docs/export.md, "Events") and restart ferry serve'));
      }
      const raw = typeof req.body === 'string' ? req.body : '';
      const check = verifyDelivery(req.headers, raw, settings);
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
      const out = toEvents(parsed, check.scheme);
      if ('error' in out) return reply.code(out.status ?? 400).send(refusal(out.status === 401 ? 'unauthorized' : 'bad_request', out.error));
      const result = intake.accept(out.events);
      return reply.code(200).send({ received: out.events.length, ...result });
    };

    const issue = (e: z.ZodError): string => {
      const first = e.issues[0];
      return `body.${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`;
    };

    /** The format of the scheme that signed it: the Event Platform sends one CloudEvents envelope, the Events API `{events:[…]}`. */
    const anyFormat = (parsed: unknown, scheme: SignatureScheme): { events: ProductEvent[] } | { error: string; status?: 400 | 401 } => {
      if (scheme === 'platform') {
        const body = platformEventSchema.safeParse(parsed);
        if (!body.success) return { error: `${issue(body.error)} (an Event Platform delivery is one CloudEvents envelope)` };
        // No timestamp header on this scheme: an event older than the ids the intake keeps could be a replay it no longer knows.
        const time = Date.parse(body.data.time);
        if (Number.isFinite(time) && Date.now() - time > SEEN_KEEP_MS) {
          return { status: 401, error: `the event's time ${body.data.time} is older than the ${SEEN_KEEP_MS / 86_400_000} days event ids are kept; refused (replay)` };
        }
        const e = fromPlatformEvent(body.data);
        return { events: e ? [e] : [] };
      }
      const body = apiDeliverySchema.safeParse(parsed);
      return body.success ? { events: fromApiDelivery(body.data) } : { error: `${issue(body.error)} (an Events API delivery is {"events":[…]})` };
    };

    // One URL takes both (a Connection's Events API URL and an Event Platform HTTPS destination);
    // /events/platform is the same receiver under a name that says what it is for.
    for (const url of ['/events/akeneo', '/events/platform']) {
      app.post(url, { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => receive(req, reply, anyFormat));
      app.head(url, { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.code(200).send());
    }
  };
}
