/** What every route module receives: the state, the rules, the options and small helpers. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { AuthService } from './auth.js';
import type { EditionProfile } from './edition.js';
import { HttpError, phpJson, sendError } from './http.js';
import type { ResolvedSandboxOptions } from './options.js';
import type { SandboxRules } from './rules/contract.js';
import type { SandboxStore } from './store.js';

export interface SandboxContext {
  store: SandboxStore;
  rules: SandboxRules;
  options: ResolvedSandboxOptions;
  auth: AuthService;
  /** The edition and version answered as (routes, system-information, attribute properties). */
  edition: EditionProfile;
  /** Akeneo-style timestamp, e.g. 2024-01-02T03:04:05+00:00 (the sandbox runs in UTC like SaaS). */
  now(): string;
  newUuid(): string;
}

export function akeneoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export const newUuid = (): string => randomUUID();

/** Who makes the writes of the request being handled (events name their author; see events.ts). */
export const writeAuthor = new AsyncLocalStorage<{ username: string; clientId: string }>();

/** Per-request bookkeeping the hooks share. */
export interface RequestState {
  connection: string;
  /** The API user of the token (the Connection's username), once authenticated. */
  username?: string;
  routeKey: string;
  /** Items in a batch body: drives the per-line latency. */
  lines: number;
  /** performance.now() at arrival: the modelled latency counts from here. */
  arrivedAt: number;
  fault?: string;
  release?: () => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    sandbox?: RequestState;
  }
}

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/** Registers a route whose HttpErrors become Akeneo error responses. */
export function route(app: FastifyInstance, method: HTTPMethods | HTTPMethods[], url: string, handler: Handler): void {
  app.route({
    method,
    url,
    handler: async (req, reply) => {
      try {
        const username = req.sandbox?.username;
        const author = username !== undefined ? { username, clientId: req.sandbox!.connection } : undefined;
        const result = author ? await writeAuthor.run(author, () => handler(req, reply)) : await handler(req, reply);
        if (reply.sent) return reply;
        return result;
      } catch (err) {
        if (err instanceof HttpError) return sendError(reply, err);
        throw err;
      }
    },
  });
}

/** Empty 201/204 with Location, as Akeneo answers writes. */
export function written(reply: FastifyReply, status: number, location: string): FastifyReply {
  return reply.code(status).header('location', location).send();
}

export function json(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json').send(phpJson(body));
}
