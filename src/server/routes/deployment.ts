/** GET /api/v1/deployment: the connections one Console serves (the header's switcher reads it). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { deploymentSchema } from '../api/contract.js';
import type { ConsoleContext } from '../context.js';

export function deploymentRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/deployment', { config: { access: 'viewer' }, schema: { tags: ['dashboard'], summary: 'The connections this Console serves (several in a deployment) and the current one', response: { 200: deploymentSchema } } }, async () =>
      ctx.deployment ? { current: ctx.connectionName, connections: ctx.deployment.connections() } : { current: null, connections: [] },
    );
  };
}
