/** Users (admin only) and the audit log. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditPageSchema, auditQuerySchema, errorBodySchema, idParamsSchema, userCreateSchema, userSchema, usersSchema, userUpdateSchema } from '../api/contract.js';
import { refusal } from '../auth.js';
import type { ConsoleContext } from '../context.js';

export function adminRoutes(ctx: ConsoleContext): FastifyPluginAsyncZod {
  return async (app) => {
    const access = { access: 'admin' as const };

    app.get('/users', { config: access, schema: { tags: ['users'], summary: 'Local accounts', response: { 200: usersSchema } } }, async () => ({ items: ctx.auth.listUsers() }));

    app.post(
      '/users',
      { config: access, schema: { tags: ['users'], summary: 'Add an account', body: userCreateSchema, response: { 201: userSchema, 409: errorBodySchema } } },
      async (req, reply) => {
        if (ctx.auth.findUserByName(req.body.name)) return reply.code(409).send(refusal('conflict', `a user named ${req.body.name} already exists`, 'body.name'));
        const user = await ctx.auth.addUser(req.body.name, req.body.role, req.body.password);
        ctx.audit.record(req.principal!.actor, 'user.create', `user:${user.name}`, { role: user.role });
        return reply.code(201).send(user);
      },
    );

    app.put(
      '/users/:id',
      { config: access, schema: { tags: ['users'], summary: 'Change role, password or disable', params: idParamsSchema, body: userUpdateSchema, response: { 200: userSchema, 404: errorBodySchema, 409: errorBodySchema } } },
      async (req, reply) => {
        const user = ctx.auth.getUser(req.params.id);
        if (!user) return reply.code(404).send(refusal('not_found', `user #${req.params.id} does not exist`));
        const losesAdmin = user.role === 'admin' && !user.disabled && ((req.body.role && req.body.role !== 'admin') || req.body.disabled === true);
        if (losesAdmin && ctx.auth.countAdmins() <= 1) return reply.code(409).send(refusal('conflict', `${user.name} is the last admin; make another admin first`));
        const updated = await ctx.auth.updateUser(req.params.id, req.body);
        ctx.audit.record(req.principal!.actor, 'user.update', `user:${user.name}`, { role: req.body.role, disabled: req.body.disabled, passwordChanged: Boolean(req.body.password) });
        return updated!;
      },
    );

    app.delete(
      '/users/:id',
      { config: access, schema: { tags: ['users'], summary: 'Delete an account', params: idParamsSchema, response: { 204: z.null(), 404: errorBodySchema, 409: errorBodySchema } } },
      async (req, reply) => {
        const user = ctx.auth.getUser(req.params.id);
        if (!user) return reply.code(404).send(refusal('not_found', `user #${req.params.id} does not exist`));
        if (user.id === req.principal!.user.id) return reply.code(409).send(refusal('conflict', 'you cannot delete your own account'));
        if (user.role === 'admin' && !user.disabled && ctx.auth.countAdmins() <= 1) return reply.code(409).send(refusal('conflict', `${user.name} is the last admin`));
        ctx.auth.deleteUser(user.id);
        ctx.audit.record(req.principal!.actor, 'user.delete', `user:${user.name}`);
        return reply.code(204).send(null);
      },
    );

    app.get('/audit', { config: access, schema: { tags: ['audit'], summary: 'Who changed what, who started which run', querystring: auditQuerySchema, response: { 200: auditPageSchema } } }, async (req) => {
      const { page, pageSize, action } = req.query;
      return { ...ctx.audit.page(page, pageSize, action), page, pageSize };
    });
  };
}
