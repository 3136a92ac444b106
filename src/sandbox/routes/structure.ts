/**
 * Catalog structure endpoints: channels, locales, currencies, measurement families, attribute
 * groups, attributes and options, families and family variants, categories, association types.
 * Writes go through rules.applyStructureWrite; the store keeps what it returns.
 *
 * Size (~500 lines): route declarations only, one short handler per endpoint; the rules live in
 * src/sandbox/rules and the data in src/sandbox/store.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Attribute, Category, FamilyVariant } from '../../akeneo/model.js';
import { runCollection } from '../batch.js';
import { json, route, written, type SandboxContext } from '../context.js';
import { baseUrl, isObject, jsonBody, parseQuery, plain, seg, type Query } from '../http.js';
import { extraParams, pageBody, parsePaging, slicePage } from '../pagination.js';
import type { StructureEntities, StructureKind } from '../rules/contract.js';
import type { SandboxStore } from '../store.js';

const lower = (s: string): string => s.toLowerCase();
const V1 = '/api/rest/v1';

interface WriteResult {
  status: number;
  body?: Record<string, unknown>;
  location?: string;
}

function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

/** Looks up the stored entity a write targets. */
function existingOf(store: SandboxStore, kind: StructureKind, key: string, parentKey?: string): unknown {
  switch (kind) {
    case 'attribute':
      return store.attribute(key);
    case 'attribute_option':
      return store.option(parentKey ?? '', key);
    case 'family':
      return store.family(key);
    case 'family_variant':
      return store.familyVariant(parentKey ?? '', key);
    case 'category':
      return store.category(key);
    case 'channel':
      return store.channel(key);
    case 'attribute_group':
      return store.attributeGroup(key);
    case 'association_type':
      return store.associationType(key);
    case 'measurement_family':
      return store.measurementFamily(key);
  }
}

/** Persists a structure entity and keeps derived structure consistent (group membership, active locales). */
function persist(store: SandboxStore, kind: StructureKind, value: unknown, parentKey?: string): void {
  const v = value as { code: string };
  switch (kind) {
    case 'attribute': {
      const attr = value as Attribute;
      const old = store.attribute(attr.code);
      store.attributeMap.set(attr.code, attr);
      if (old && lower(old.group) !== lower(attr.group)) {
        const g = store.attributeGroup(old.group);
        if (g) store.attributeGroups.set(g.code, { ...g, attributes: (g.attributes ?? []).filter((a) => lower(a) !== lower(attr.code)) });
      }
      const g = store.attributeGroup(attr.group);
      if (g && !(g.attributes ?? []).some((a) => lower(a) === lower(attr.code))) {
        store.attributeGroups.set(g.code, { ...g, attributes: [...(g.attributes ?? []), attr.code] });
      }
      break;
    }
    case 'attribute_option':
      store.putOption(value as StructureEntities['attribute_option']);
      break;
    case 'family':
      store.families.set(v.code, value as StructureEntities['family']);
      break;
    case 'family_variant': {
      const fv = value as FamilyVariant;
      const family = store.family(parentKey ?? '')?.code ?? fv.family ?? parentKey ?? '';
      store.familyVariants.set(fv.code, { ...fv, family });
      break;
    }
    case 'category':
      store.categories.set(v.code, value as Category);
      break;
    case 'channel': {
      store.channelMap.set(v.code, value as StructureEntities['channel']);
      // Akeneo activates exactly the locales some channel uses.
      const used = new Set(store.channels().flatMap((c) => c.locales.map(lower)));
      for (const l of store.locales()) {
        const enabled = used.has(lower(l.code));
        if (l.enabled !== enabled) store.localeMap.set(l.code, { ...l, enabled });
      }
      // …and the currencies a channel uses (others keep their flag, as Akeneo does).
      for (const c of store.channels().flatMap((ch) => ch.currencies)) {
        const cur = store.currency(c);
        if (cur && !cur.enabled) store.currencies.set(cur.code, { ...cur, enabled: true });
      }
      break;
    }
    case 'attribute_group':
      store.attributeGroups.set(v.code, value as StructureEntities['attribute_group']);
      break;
    case 'association_type':
      store.associationTypeMap.set(v.code, value as StructureEntities['association_type']);
      break;
    case 'measurement_family':
      store.measurementFamilies.set(v.code, value as StructureEntities['measurement_family']);
      break;
  }
  store.markUpdated(kind, parentKey ? `${parentKey}/${v.code}` : v.code);
  store.structureChanged();
}

function locationOf(base: string, kind: StructureKind, code: string, parentKey?: string): string {
  switch (kind) {
    case 'attribute':
      return `${base}${V1}/attributes/${seg(code)}`;
    case 'attribute_option':
      return `${base}${V1}/attributes/${seg(parentKey ?? '')}/options/${seg(code)}`;
    case 'family':
      return `${base}${V1}/families/${seg(code)}`;
    case 'family_variant':
      return `${base}${V1}/families/${seg(parentKey ?? '')}/variants/${seg(code)}`;
    case 'category':
      return `${base}${V1}/categories/${seg(code)}`;
    case 'channel':
      return `${base}${V1}/channels/${seg(code)}`;
    case 'attribute_group':
      return `${base}${V1}/attribute-groups/${seg(code)}`;
    case 'association_type':
      return `${base}${V1}/association-types/${seg(code)}`;
    case 'measurement_family':
      return `${base}${V1}/measurement-families/${seg(code)}`;
  }
}

export function writeStructure(
  ctx: SandboxContext,
  base: string,
  kind: StructureKind,
  method: 'POST' | 'PATCH',
  urlKey: string | undefined,
  patch: unknown,
  parentKey?: string,
): WriteResult {
  const { store } = ctx;
  const existing = method === 'PATCH' && urlKey !== undefined ? (existingOf(store, kind, urlKey, parentKey) ?? null) : null;
  const result = ctx.rules.applyStructureWrite(kind, store, existing as never, patch, {
    method,
    ...(urlKey !== undefined ? { urlKey } : {}),
    ...(parentKey !== undefined ? { parentKey } : {}),
    now: ctx.now(),
    ...(kind === 'attribute' ? { unknownProperties: ctx.edition.unknownAttributeProperties, unknownAttributeTypes: ctx.edition.unknownAttributeTypes } : {}),
  });
  if (!result.ok) return { status: result.status, body: result.body as unknown as Record<string, unknown> };
  const code = (result.value as { code: string }).code;
  persist(store, kind, result.value, parentKey);
  return { status: result.created ? 201 : 204, location: locationOf(base, kind, code, parentKey) };
}

function answer(reply: FastifyReply, r: WriteResult): FastifyReply {
  return r.body ? json(reply, r.body, r.status) : written(reply, r.status, r.location ?? '');
}

// ------------------------------------------------------------------ rendering

function renderAttribute(store: SandboxStore, a: Attribute): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const group = store.attributeGroup(a.group);
  for (const [k, v] of Object.entries(a)) {
    if (k === 'group_labels') continue;
    out[k] = v;
    if (k === 'group') {
      const labels: Record<string, string> = {};
      for (const [l, t] of Object.entries(group?.labels ?? {})) if (t !== null && t !== '') labels[l] = t;
      out['group_labels'] = labels;
    }
  }
  return out;
}

/** An attribute as this edition's normalizer shows it (the CE never shows `is_read_only`). */
function withoutHidden(out: Record<string, unknown>, hidden: readonly string[]): Record<string, unknown> {
  for (const k of hidden) delete out[k];
  return out;
}

function renderFamilyVariant(fv: FamilyVariant): Record<string, unknown> {
  return { code: fv.code, labels: fv.labels ?? {}, variant_attribute_sets: fv.variant_attribute_sets };
}

function renderCategory(store: SandboxStore, c: Category, withPosition: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { code: c.code, parent: c.parent ?? null, updated: c.updated ?? store.updatedAt('category', c.code) };
  if (withPosition) out['position'] = store.categoryTree().position.get(lower(c.code)) ?? 1;
  out['labels'] = c.labels ?? {};
  return out;
}

// ------------------------------------------------------------------ list filters

type Filter = { operator: string; value?: unknown };

function parseStructureSearch(q: Query, allowed: Record<string, string[]>): Record<string, Filter[]> {
  if (q['search'] === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(q['search']);
  } catch {
    throw plain(400, 'Search query parameter should be valid JSON.');
  }
  if (!isObject(parsed)) throw plain(422, 'Search query parameter has to be an array.');
  const out: Record<string, Filter[]> = {};
  for (const [prop, list] of Object.entries(parsed)) {
    if (!Array.isArray(list)) {
      throw plain(422, `Structure of filter "${prop}" should respect this structure: {"${prop}":[{"operator": "my_operator", "value": "my_value"}]}`);
    }
    for (const f of list) {
      if (!isObject(f) || !('operator' in f)) throw plain(422, `Operator is missing for the property "${prop}".`);
      if (typeof f['operator'] !== 'string') throw plain(422, `Operator has to be a string, "${Array.isArray(f['operator']) ? 'array' : typeof f['operator']}" given.`);
      if (!allowed[prop]?.includes(f['operator'])) {
        throw plain(422, `Filter on property "${prop}" is not supported or does not support operator "${f['operator']}"`);
      }
      (out[prop] ??= []).push({ operator: f['operator'], value: f['value'] });
    }
  }
  return out;
}

function applyFilters<T>(
  items: T[],
  filters: Record<string, Filter[]>,
  get: (item: T, prop: string) => unknown,
  special: Record<string, (f: Filter) => (item: T) => boolean> = {},
): T[] {
  const entries = Object.entries(filters);
  if (entries.length === 0) return items;
  const compiled = entries.map(([prop, list]) => list.map((f) => special[prop]?.(f)));
  return items.filter((item) =>
    entries.every(([prop, list], i) =>
      list.every((f, j) => {
        const custom = compiled[i]?.[j];
        if (custom) return custom(item);
        const v = get(item, prop);
        switch (f.operator) {
          case 'IN':
            return Array.isArray(f.value) && f.value.some((x) => typeof x === 'string' && typeof v === 'string' && lower(x) === lower(v));
          case 'NOT IN':
            return !(Array.isArray(f.value) && f.value.some((x) => typeof x === 'string' && typeof v === 'string' && lower(x) === lower(v)));
          case '=':
            return typeof v === 'string' && typeof f.value === 'string' ? lower(v) === lower(f.value) : v === f.value;
          case '!=':
            return v !== f.value;
          case '>':
            return typeof v === 'string' && typeof f.value === 'string' && Date.parse(v) > Date.parse(f.value);
          case '<':
            return typeof v === 'string' && typeof f.value === 'string' && Date.parse(v) < Date.parse(f.value);
          default:
            return false;
        }
      }),
    ),
  );
}

function listPage<T>(
  req: FastifyRequest,
  path: string,
  all: T[],
  render: (item: T) => Record<string, unknown>,
  self: (item: T) => string,
): Record<string, unknown> {
  const q = parseQuery(req);
  const params = parsePaging(q, { modes: ['page'] });
  const base = baseUrl(req);
  const items = slicePage(all, params).map((item) => ({ _links: { self: { href: `${base}${self(item)}` } }, ...render(item) }));
  return pageBody({ base, path, style: 'structure', params, extras: extraParams(q), items, total: all.length });
}

// ------------------------------------------------------------------ registration

interface Resource<T> {
  kind?: StructureKind;
  path: string;
  list: (req: FastifyRequest) => T[];
  get: (req: FastifyRequest) => T | undefined;
  notFound: (req: FastifyRequest) => string;
  render: (item: T, req: FastifyRequest) => Record<string, unknown>;
  self: (item: T, req: FastifyRequest) => string;
  parentKey?: (req: FastifyRequest) => string;
  /** Runs before any route of a nested resource (parent must exist, …). */
  guard?: (req: FastifyRequest, method: string) => void;
  search?: Record<string, string[]>;
  field?: (item: T, prop: string) => unknown;
  special?: Record<string, (f: Filter) => (item: T) => boolean>;
}

function register<T extends { code: string }>(app: FastifyInstance, ctx: SandboxContext, r: Resource<T>): void {
  const detail = `${r.path}/:code`;
  route(app, 'GET', r.path, (req, reply) => {
    r.guard?.(req, 'GET');
    const q = parseQuery(req);
    const filters = parseStructureSearch(q, r.search ?? {});
    const all = applyFilters(
      r.list(req),
      filters,
      (item, prop) => (r.field ? r.field(item, prop) : (item as Record<string, unknown>)[prop]),
      r.special,
    );
    return json(reply, listPage(req, r.path.replace(/:(\w+)/g, (_m, n: string) => seg(param(req, n))), all, (i) => r.render(i, req), (i) => r.self(i, req)));
  });
  route(app, 'GET', detail, (req, reply) => {
    r.guard?.(req, 'GET');
    const item = r.get(req);
    if (!item) throw plain(404, r.notFound(req));
    return json(reply, r.render(item, req));
  });
  const kind = r.kind;
  if (!kind) return;
  route(app, 'POST', r.path, (req, reply) => {
    r.guard?.(req, 'POST');
    return answer(reply, writeStructure(ctx, baseUrl(req), kind, 'POST', undefined, jsonBody(req), r.parentKey?.(req)));
  });
  route(app, 'PATCH', detail, (req, reply) => {
    r.guard?.(req, 'PATCH');
    return answer(reply, writeStructure(ctx, baseUrl(req), kind, 'PATCH', param(req, 'code'), jsonBody(req), r.parentKey?.(req)));
  });
  route(app, 'PATCH', r.path, (req, reply) => {
    r.guard?.(req, 'PATCH');
    const parentKey = r.parentKey?.(req);
    return runCollection(req, reply, 'code', (key, item) => {
      const out = writeStructure(ctx, baseUrl(req), kind, 'PATCH', key, item, parentKey);
      return { status: out.status, ...(out.body ? { body: out.body } : {}) };
    });
  });
}

const OPTION_TYPES = ['pim_catalog_simpleselect', 'pim_catalog_multiselect'];

export function registerStructureRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;
  const code = (req: FastifyRequest): string => param(req, 'code');

  register(app, ctx, {
    kind: 'channel',
    path: `${V1}/channels`,
    list: () => store.channelMap.values(),
    get: (req) => store.channel(code(req)),
    notFound: (req) => `Channel "${code(req)}" does not exist.`,
    render: (c) => ({ ...c }),
    self: (c) => `${V1}/channels/${seg(c.code)}`,
    search: { code: ['IN'] },
  });
  register(app, ctx, {
    path: `${V1}/locales`,
    list: () => store.localeMap.values(),
    get: (req) => store.locale(code(req)),
    notFound: (req) => `Locale "${code(req)}" does not exist.`,
    render: (l) => ({ code: l.code, enabled: l.enabled }),
    self: (l) => `${V1}/locales/${seg(l.code)}`,
    search: { enabled: ['='], code: ['IN'] },
  });
  register(app, ctx, {
    path: `${V1}/currencies`,
    list: () => store.currencies.values(),
    get: (req) => store.currency(code(req)),
    notFound: (req) => `Currency "${code(req)}" does not exist.`,
    render: (c) => ({ ...c }),
    self: (c) => `${V1}/currencies/${seg(c.code)}`,
    search: { enabled: ['='], code: ['IN'] },
  });
  register(app, ctx, {
    kind: 'attribute_group',
    path: `${V1}/attribute-groups`,
    list: () => store.attributeGroups.values(),
    get: (req) => store.attributeGroup(code(req)),
    notFound: (req) => `Attribute group "${code(req)}" does not exist.`,
    render: (g) => ({ ...g }),
    self: (g) => `${V1}/attribute-groups/${seg(g.code)}`,
    search: { code: ['IN'], updated: ['>', '<'] },
    field: (g, prop) => (prop === 'updated' ? store.updatedAt('attribute_group', g.code) : (g as unknown as Record<string, unknown>)[prop]),
  });
  register(app, ctx, {
    kind: 'attribute',
    path: `${V1}/attributes`,
    list: () => store.attributeMap.values(),
    get: (req) => store.attribute(code(req)),
    notFound: (req) => `Attribute "${code(req)}" does not exist.`,
    render: (a) => withoutHidden(renderAttribute(store, a), ctx.edition.hiddenAttributeProperties),
    self: (a) => `${V1}/attributes/${seg(a.code)}`,
    search: { code: ['IN'], updated: ['>', '<'], type: ['IN'], is_main_identifier: ['='] },
    field: (a, prop) =>
      prop === 'updated'
        ? store.updatedAt('attribute', a.code)
        : prop === 'is_main_identifier'
          ? lower(a.code) === lower(store.identifierAttribute())
          : (a as Record<string, unknown>)[prop],
  });

  const attrOf = (req: FastifyRequest): string => param(req, 'attribute');
  register(app, ctx, {
    kind: 'attribute_option',
    path: `${V1}/attributes/:attribute/options`,
    parentKey: (req) => store.attribute(attrOf(req))?.code ?? attrOf(req),
    guard: (req, method) => {
      const a = store.attribute(attrOf(req));
      if (!a) throw plain(404, `Attribute "${attrOf(req)}" does not exist.`);
      if (method === 'GET' && !OPTION_TYPES.includes(a.type)) {
        throw plain(404, `Attribute "${a.code}" does not support options. Only attributes of type "pim_catalog_simpleselect", "pim_catalog_multiselect" support options.`);
      }
    },
    list: (req) => [...store.attributeOptions(attrOf(req))],
    get: (req) => store.option(attrOf(req), code(req)),
    notFound: (req) => `Attribute option "${code(req)}" does not exist or is not an option of the attribute "${attrOf(req)}".`,
    render: (o) => ({ code: o.code, attribute: o.attribute, sort_order: o.sort_order ?? 0, labels: o.labels ?? {} }),
    self: (o) => `${V1}/attributes/${seg(o.attribute)}/options/${seg(o.code)}`,
  });
  register(app, ctx, {
    kind: 'family',
    path: `${V1}/families`,
    list: () => store.families.values(),
    get: (req) => store.family(code(req)),
    notFound: (req) => `Family "${code(req)}" does not exist.`,
    render: (f) => ({ ...f }),
    self: (f) => `${V1}/families/${seg(f.code)}`,
    search: { code: ['IN'], updated: ['>', '<'], has_products: ['='] },
    field: (f, prop) => {
      if (prop === 'updated') return store.updatedAt('family', f.code);
      if (prop === 'has_products') {
        for (const p of store.products.values()) if (p.family && lower(p.family) === lower(f.code)) return true;
        return false;
      }
      return (f as unknown as Record<string, unknown>)[prop];
    },
  });
  const familyOf = (req: FastifyRequest): string => param(req, 'family');
  register(app, ctx, {
    kind: 'family_variant',
    path: `${V1}/families/:family/variants`,
    parentKey: (req) => store.family(familyOf(req))?.code ?? familyOf(req),
    guard: (req) => {
      if (!store.family(familyOf(req))) throw plain(404, `Family "${familyOf(req)}" does not exist.`);
    },
    list: (req) => store.familyVariants.values().filter((fv) => lower(fv.family) === lower(familyOf(req))),
    get: (req) => store.familyVariant(familyOf(req), code(req)) as (FamilyVariant & { family: string }) | undefined,
    notFound: (req) => `Family variant "${code(req)}" does not exist or is not a variant of the family "${familyOf(req)}".`,
    render: (fv) => renderFamilyVariant(fv),
    self: (fv) => `${V1}/families/${seg(fv.family)}/variants/${seg(fv.code)}`,
  });
  register(app, ctx, {
    kind: 'category',
    path: `${V1}/categories`,
    list: () => store.categoryTree().order,
    get: (req) => store.category(code(req)),
    notFound: (req) => `Category "${code(req)}" does not exist.`,
    render: (c, req) => renderCategory(store, c, parseQuery(req)['with_position'] === 'true'),
    self: (c) => `${V1}/categories/${seg(c.code)}`,
    search: { code: ['IN'], parent: ['='], is_root: ['='], updated: ['>', '<'] },
    field: (c, prop) => {
      if (prop === 'is_root') return !c.parent;
      if (prop === 'updated') return c.updated ?? store.updatedAt('category', c.code);
      return (c as unknown as Record<string, unknown>)[prop];
    },
    // Akeneo's `parent =` returns every descendant, not only direct children (categories-006).
    special: { parent: (f) => categoryDescendantFilter(store, typeof f.value === 'string' ? f.value : '') },
  });
  register(app, ctx, {
    kind: 'association_type',
    path: `${V1}/association-types`,
    list: () => store.associationTypeMap.values(),
    get: (req) => store.associationType(code(req)),
    notFound: (req) => `Association type "${code(req)}" does not exist.`,
    render: (t) => ({ ...t }),
    self: (t) => `${V1}/association-types/${seg(t.code)}`,
  });

  // Measurement families: a plain JSON array (no pagination) and a JSON-array PATCH.
  route(app, 'GET', `${V1}/measurement-families`, (_req, reply) => json(reply, store.measurementFamilies.values()));
  route(app, 'GET', `${V1}/measurement-families/:code`, (req, reply) => {
    const mf = store.measurementFamily(code(req));
    if (!mf) throw plain(404, `Measurement family "${code(req)}" does not exist.`);
    return json(reply, mf);
  });
  route(app, 'PATCH', `${V1}/measurement-families`, (req, reply) => {
    const body = jsonBody(req);
    if (!Array.isArray(body)) throw plain(422, 'The list of measurement families has to be an array.');
    if (body.length > 100) throw plain(413, 'Too many resources to process, 100 is the maximum allowed.');
    if (req.sandbox) req.sandbox.lines = body.length;
    const out = body.map((item: unknown) => {
      const c = isObject(item) && typeof item['code'] === 'string' ? item['code'] : '';
      if (c === '') return { code: null, status_code: 422, message: 'Code is missing.' };
      const r = writeStructure(ctx, baseUrl(req), 'measurement_family', 'PATCH', c, item);
      const line: Record<string, unknown> = { code: c, status_code: r.status };
      if (r.body) for (const [k, v] of Object.entries(r.body)) if (k !== 'code') line[k] = v;
      return line;
    });
    return json(reply, out);
  });
}

/** `parent =` on categories means "all descendants" (categories-006): handled before generic filters. */
export function categoryDescendantFilter(store: SandboxStore, parent: string): (c: Category) => boolean {
  const subtree = store.categorySubtree(parent);
  return (c) => subtree.has(lower(c.code)) && lower(c.code) !== lower(parent);
}
