/**
 * EE / SaaS entities: reference entities (+ attributes, options, records) and asset families
 * (+ attributes, options, assets). search_after-only lists, single PATCH upserts, JSON-array
 * collection upserts (`application/json`, ≤100 items, `[{code,status_code,…}]`). Values use
 * `channel` instead of `scope` and merge per (attribute, locale, channel).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CodeMap } from '../code-map.js';
import { json, route, written, type SandboxContext } from '../context.js';
import { baseUrl, isObject, jsonBody, parseQuery, plain, seg } from '../http.js';
import { extraParams, pageBody, parsePaging } from '../pagination.js';
import type { CodedObject, SandboxStore } from '../store.js';

const V1 = '/api/rest/v1';
const lower = (s: string): string => s.toLowerCase();
const CODE_RE = /^[a-zA-Z0-9_]+$/;

interface Outcome {
  status: number;
  body?: Record<string, unknown>;
  location?: string;
}

type EeValue = { locale: string | null; channel: string | null; data: unknown };

function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

function violation(property: string, message: string): Outcome {
  return { status: 422, body: { code: 422, message: 'Validation failed.', errors: [{ property, message }] } };
}

function mergeLabels(old: unknown, patch: unknown): Record<string, string> {
  const out: Record<string, string> = { ...((old as Record<string, string>) ?? {}) };
  if (isObject(patch)) {
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') delete out[k];
      else out[k] = String(v);
    }
  }
  return out;
}

/** Merges EE values per (attribute, locale, channel); `data: null` removes one value. */
function mergeEeValues(old: Record<string, EeValue[]> | undefined, patch: unknown, known: (attr: string) => boolean): Outcome | Record<string, EeValue[]> {
  const out: Record<string, EeValue[]> = { ...(old ?? {}) };
  if (patch === undefined) return out;
  if (!isObject(patch)) return { status: 422, body: { code: 422, message: 'Property "values" expects an array as data.' } };
  for (const [attr, list] of Object.entries(patch)) {
    if (!known(attr)) return violation('values', `The attribute "${attr}" does not exist.`);
    if (!Array.isArray(list)) return { status: 422, body: { code: 422, message: `Property "values.${attr}" expects an array of values.` } };
    let current = [...(out[attr] ?? [])];
    for (const v of list) {
      if (!isObject(v) || !('data' in v)) return { status: 422, body: { code: 422, message: `Property "values.${attr}" expects objects with a "data" key.` } };
      const locale = typeof v['locale'] === 'string' ? v['locale'] : null;
      const channel = typeof v['channel'] === 'string' ? v['channel'] : null;
      current = current.filter((x) => x.locale !== locale || x.channel !== channel);
      if (v['data'] !== null && v['data'] !== '' && !(Array.isArray(v['data']) && v['data'].length === 0)) {
        current.push({ locale, channel, data: v['data'] });
      }
    }
    if (current.length > 0) out[attr] = current;
    else delete out[attr];
  }
  return out;
}

function answer(reply: FastifyReply, o: Outcome): FastifyReply {
  return o.body ? json(reply, o.body, o.status) : written(reply, o.status, o.location ?? '');
}

interface ContainerSpec {
  /** URL segment: reference-entities | asset-families */
  path: string;
  label: string;
  containers: CodeMap<CodedObject>;
  attributes: Map<string, CodeMap<CodedObject>>;
  items: Map<string, CodeMap<CodedObject>>;
  itemSegment: 'records' | 'assets';
  itemLabel: string;
  builtInAttributes: string[];
  putItem: (container: string, item: CodedObject) => void;
  deleteItem?: (container: string, code: string) => boolean;
  renderContainer: (c: CodedObject) => Record<string, unknown>;
}

function searchAfterList(req: FastifyRequest, path: string, all: CodedObject[], render: (o: CodedObject) => Record<string, unknown>, self: (o: CodedObject) => string) {
  const q = parseQuery(req);
  const params = parsePaging(q, { modes: ['search_after'] });
  let list = [...all].sort((a, b) => (lower(a.code) < lower(b.code) ? -1 : 1));
  if (q['search'] !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(q['search']);
    } catch {
      throw plain(400, 'Search query parameter should be valid JSON.');
    }
    if (isObject(parsed)) {
      const codes = parsed['code'];
      if (Array.isArray(codes)) {
        for (const f of codes) {
          if (isObject(f) && f['operator'] === 'IN' && Array.isArray(f['value'])) {
            const set = new Set(f['value'].map((x) => lower(String(x))));
            list = list.filter((o) => set.has(lower(o.code)));
          }
        }
      }
      const updated = parsed['updated'];
      if (Array.isArray(updated)) {
        for (const f of updated) {
          if (isObject(f) && f['operator'] === '>' && typeof f['value'] === 'string') {
            const t = Date.parse(f['value']);
            list = list.filter((o) => typeof o['updated'] === 'string' && Date.parse(o['updated']) > t);
          }
        }
      }
    }
  }
  if (params.searchAfter !== undefined) {
    const cursor = lower(params.searchAfter);
    list = list.filter((o) => lower(o.code) > cursor);
  }
  const page = list.slice(0, params.limit);
  const base = baseUrl(req);
  const items = page.map((o) => ({ _links: { self: { href: `${base}${self(o)}` } }, ...render(o) }));
  const last = page[page.length - 1];
  return pageBody({
    base,
    path,
    style: 'structure',
    params,
    extras: extraParams(q),
    items,
    ...(last ? { lastKey: last.code } : {}),
  });
}

function registerContainer(app: FastifyInstance, ctx: SandboxContext, spec: ContainerSpec): void {
  const { store } = ctx;
  const root = `${V1}/${spec.path}`;
  const containerOf = (req: FastifyRequest): CodedObject => {
    const c = spec.containers.get(param(req, 'container'));
    if (!c) throw plain(404, `${spec.label} "${param(req, 'container')}" does not exist.`);
    return c;
  };
  const attrsOf = (code: string): CodeMap<CodedObject> => {
    let m = spec.attributes.get(lower(code));
    if (!m) {
      m = new CodeMap();
      spec.attributes.set(lower(code), m);
    }
    return m;
  };

  route(app, 'GET', root, (req, reply) =>
    json(reply, searchAfterList(req, root, spec.containers.values(), spec.renderContainer, (c) => `${root}/${seg(c.code)}`)),
  );
  route(app, 'GET', `${root}/:container`, (req, reply) => json(reply, spec.renderContainer(containerOf(req))));
  route(app, 'PATCH', `${root}/:container`, (req, reply) => {
    const code = param(req, 'container');
    const body = jsonBody(req);
    if (!isObject(body)) throw plain(400, 'Invalid json message received');
    if (body['code'] !== undefined && body['code'] !== code) {
      throw plain(422, `The code of the ${spec.label.toLowerCase()} provided in the URI must match the one provided in the request body.`);
    }
    if (!CODE_RE.test(code)) return answer(reply, violation('code', `The ${spec.label.toLowerCase()} code may contain only letters, numbers and underscores.`));
    const old = spec.containers.get(code);
    const next: CodedObject = { ...(old ?? {}), ...body, code: old?.code ?? code, labels: mergeLabels(old?.['labels'], body['labels']) };
    spec.containers.set(next.code, next);
    store.structureChanged();
    return answer(reply, { status: old ? 204 : 201, location: `${baseUrl(req)}${root}/${seg(next.code)}` });
  });

  // attributes and their options
  route(app, 'GET', `${root}/:container/attributes`, (req, reply) => json(reply, attrsOf(containerOf(req).code).values()));
  route(app, 'GET', `${root}/:container/attributes/:attribute`, (req, reply) => {
    const a = attrsOf(containerOf(req).code).get(param(req, 'attribute'));
    if (!a) throw plain(404, `Attribute "${param(req, 'attribute')}" does not exist for the ${spec.label.toLowerCase()} "${param(req, 'container')}".`);
    return json(reply, a);
  });
  route(app, 'PATCH', `${root}/:container/attributes/:attribute`, (req, reply) => {
    const c = containerOf(req);
    const code = param(req, 'attribute');
    const body = jsonBody(req);
    if (!isObject(body)) throw plain(400, 'Invalid json message received');
    if (!CODE_RE.test(code)) return answer(reply, violation('code', 'The attribute code may contain only letters, numbers and underscores.'));
    const attrs = attrsOf(c.code);
    const old = attrs.get(code);
    if (!old && typeof body['type'] !== 'string') return answer(reply, violation('type', 'This value should not be blank.'));
    const next: CodedObject = { ...(old ?? {}), ...body, code: old?.code ?? code, labels: mergeLabels(old?.['labels'], body['labels']) };
    attrs.set(next.code, next);
    store.structureChanged();
    return answer(reply, { status: old ? 204 : 201, location: `${baseUrl(req)}${root}/${seg(c.code)}/attributes/${seg(next.code)}` });
  });
  route(app, 'GET', `${root}/:container/attributes/:attribute/options`, (req, reply) => {
    const a = attrsOf(containerOf(req).code).get(param(req, 'attribute'));
    if (!a) throw plain(404, `Attribute "${param(req, 'attribute')}" does not exist.`);
    return json(reply, (a['options'] as CodedObject[] | undefined) ?? []);
  });
  route(app, 'GET', `${root}/:container/attributes/:attribute/options/:option`, (req, reply) => {
    const a = attrsOf(containerOf(req).code).get(param(req, 'attribute'));
    const o = ((a?.['options'] as CodedObject[] | undefined) ?? []).find((x) => lower(x.code) === lower(param(req, 'option')));
    if (!o) throw plain(404, `Attribute option "${param(req, 'option')}" does not exist.`);
    return json(reply, o);
  });
  route(app, 'PATCH', `${root}/:container/attributes/:attribute/options/:option`, (req, reply) => {
    const c = containerOf(req);
    const attrs = attrsOf(c.code);
    const a = attrs.get(param(req, 'attribute'));
    if (!a) throw plain(404, `Attribute "${param(req, 'attribute')}" does not exist.`);
    const body = jsonBody(req);
    if (!isObject(body)) throw plain(400, 'Invalid json message received');
    const code = param(req, 'option');
    const options = [...((a['options'] as CodedObject[] | undefined) ?? [])];
    const idx = options.findIndex((x) => lower(x.code) === lower(code));
    const old = idx >= 0 ? options[idx] : undefined;
    const next: CodedObject = { code: old?.code ?? code, labels: mergeLabels(old?.['labels'], body['labels']) };
    if (idx >= 0) options[idx] = next;
    else options.push(next);
    attrs.set(a.code, { ...a, options });
    store.structureChanged();
    return answer(reply, { status: old ? 204 : 201, location: `${baseUrl(req)}${root}/${seg(c.code)}/attributes/${seg(a.code)}/options/${seg(next.code)}` });
  });

  // items: records or assets
  const itemsOf = (container: string): CodedObject[] => spec.items.get(lower(container))?.values() ?? [];
  const writeItem = (req: FastifyRequest, container: CodedObject, code: string, body: unknown): Outcome => {
    if (!isObject(body)) return { status: 400, body: { code: 400, message: 'Invalid json message received' } };
    if (body['code'] !== undefined && body['code'] !== code) {
      return { status: 422, body: { code: 422, message: `The code of the ${spec.itemLabel.toLowerCase()} provided in the URI must match the one provided in the request body.` } };
    }
    if (!CODE_RE.test(code)) return violation('code', `The ${spec.itemLabel.toLowerCase()} code may contain only letters, numbers and underscores.`);
    const old = spec.items.get(lower(container.code))?.get(code);
    const attrs = attrsOf(container.code);
    const values = mergeEeValues(old?.['values'] as Record<string, EeValue[]> | undefined, body['values'], (a) =>
      spec.builtInAttributes.includes(a) || attrs.has(a),
    );
    if ('status' in values && typeof values.status === 'number') return values as Outcome;
    const now = ctx.now();
    const next: CodedObject = {
      code: old?.code ?? code,
      values: values as Record<string, EeValue[]>,
      created: (old?.['created'] as string | undefined) ?? now,
      updated: now,
    };
    spec.putItem(container.code, next);
    return { status: old ? 204 : 201, location: `${baseUrl(req)}${root}/${seg(container.code)}/${spec.itemSegment}/${seg(next.code)}` };
  };
  const itemPath = `${root}/:container/${spec.itemSegment}`;
  route(app, 'GET', itemPath, (req, reply) => {
    const c = containerOf(req);
    const path = `${root}/${seg(c.code)}/${spec.itemSegment}`;
    return json(reply, searchAfterList(req, path, itemsOf(c.code), (o) => ({ ...o }), (o) => `${path}/${seg(o.code)}`));
  });
  route(app, 'GET', `${itemPath}/:code`, (req, reply) => {
    const c = containerOf(req);
    const item = spec.items.get(lower(c.code))?.get(param(req, 'code'));
    if (!item) throw plain(404, `${spec.itemLabel} "${param(req, 'code')}" does not exist.`);
    return json(reply, item);
  });
  route(app, 'PATCH', `${itemPath}/:code`, (req, reply) => answer(reply, writeItem(req, containerOf(req), param(req, 'code'), jsonBody(req))));
  route(app, 'PATCH', itemPath, (req, reply) => {
    const c = containerOf(req);
    const body = jsonBody(req);
    if (!Array.isArray(body)) throw plain(422, `The list of ${spec.itemSegment} has to be an array.`);
    if (body.length > 100) throw plain(413, 'Too many resources to process, 100 is the maximum allowed.');
    if (req.sandbox) req.sandbox.lines = body.length;
    const out = body.map((item: unknown) => {
      const code = isObject(item) ? item['code'] : undefined;
      if (typeof code !== 'string' || code.trim() === '') return { code: null, status_code: 422, message: 'Code is missing.' };
      const r = writeItem(req, c, code, item);
      const line: Record<string, unknown> = { code, status_code: r.status };
      if (r.body) for (const [k, v] of Object.entries(r.body)) if (k !== 'code') line[k] = v;
      return line;
    });
    return json(reply, out);
  });
  if (spec.deleteItem) {
    const del = spec.deleteItem;
    route(app, 'DELETE', `${itemPath}/:code`, (req, reply) => {
      const c = containerOf(req);
      if (!del(c.code, param(req, 'code'))) throw plain(404, `${spec.itemLabel} "${param(req, 'code')}" does not exist.`);
      return reply.code(204).send();
    });
  }
}

export function registerEeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const store: SandboxStore = ctx.store;
  registerContainer(app, ctx, {
    path: 'reference-entities',
    label: 'Reference entity',
    containers: store.referenceEntities,
    attributes: store.referenceEntityAttributes,
    items: store.records,
    itemSegment: 'records',
    itemLabel: 'Record',
    builtInAttributes: ['label', 'image'],
    putItem: (c, item) => store.putRecord(c, item),
    // No deleteItem: Akeneo's API has no record deletion (GET and PATCH only), so DELETE is the router's 405.
    renderContainer: (c) => ({ code: c.code, labels: c['labels'] ?? {}, image: c['image'] ?? null }),
  });
  registerContainer(app, ctx, {
    path: 'asset-families',
    label: 'Asset family',
    containers: store.assetFamilies,
    attributes: store.assetFamilyAttributes,
    items: store.assets,
    itemSegment: 'assets',
    itemLabel: 'Asset',
    builtInAttributes: ['label'],
    putItem: (c, item) => store.putAsset(c, item),
    deleteItem: (c, code) => store.deleteAsset(c, code),
    renderContainer: (c) => ({
      code: c.code,
      labels: c['labels'] ?? {},
      attribute_as_main_media: c['attribute_as_main_media'] ?? null,
      naming_convention: c['naming_convention'] ?? {},
      product_link_rules: c['product_link_rules'] ?? [],
      transformations: c['transformations'] ?? [],
      sharing_enabled: c['sharing_enabled'] ?? false,
    }),
  });
}
