/** GET /estimate: the first import's estimate for the Console (what `ferry estimate --json` prints). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, importEstimateSchema } from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { estimateFirstImport } from '../../app/estimate.js';
import { scrubSecrets } from '../../logging.js';

export function estimateRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/estimate',
      {
        config: { access: 'viewer' },
        schema: { tags: ['runs'], summary: 'What a first full import would cost: requests, duration (best/likely), bottleneck, memory, advice', response: { 200: importEstimateSchema, 503: errorBodySchema } },
      },
      async (_req, reply) => {
        try {
          return await estimateFirstImport(ctx.config);
        } catch (err) {
          return reply.code(503).send(refusal('unavailable', `the estimate needs the ERP: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`));
        }
      },
    );
  };
}
