/**
 * Minimal merge rules used only until src/sandbox/rules/index.ts (the rules helper's module)
 * lands: Akeneo's PATCH merge (objects merged, arrays replaced, values merged per
 * attribute/locale/scope, data:null erases) with just the checks the HTTP layer depends on
 * (body must be an object, codes must match the URL, identifier required on /products).
 * It does NOT reproduce Akeneo's validation; delete once the real rules exist.
 */
import type { ErrorBody, Product, ProductModel, ValueEntry, Values } from '../akeneo/model.js';
import type {
  ApplyProductModelWrite,
  ApplyProductWrite,
  ApplyStructureWrite,
  RuleResult,
  SandboxRules,
  StructureKind,
} from './rules/contract.js';

const fail = <T>(status: number, body: ErrorBody): RuleResult<T> => ({ ok: false, status, body });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeObjects(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const old = out[k];
    out[k] = isObject(v) && isObject(old) ? mergeObjects(old, v) : v;
  }
  return out;
}

function mergeValues(base: Values | undefined, patch: unknown): Values {
  const out: Values = { ...(base ?? {}) };
  if (!isObject(patch)) return out;
  for (const [attr, entries] of Object.entries(patch)) {
    if (!Array.isArray(entries)) continue;
    let list: ValueEntry[] = out[attr] ? [...(out[attr] as ValueEntry[])] : [];
    for (const e of entries as ValueEntry[]) {
      const locale = e.locale ?? null;
      const scope = e.scope ?? null;
      list = list.filter((x) => x.locale !== locale || x.scope !== scope);
      if (e.data !== null && e.data !== undefined) list.push({ locale, scope, data: e.data });
    }
    if (list.length > 0) out[attr] = list;
    else delete out[attr];
  }
  return out;
}

const applyProductWrite: ApplyProductWrite = (view, existing, patch, ctx) => {
  if (!isObject(patch)) return fail(400, { code: 400, message: 'Invalid json message received' });
  const idAttr = view.identifierAttribute();
  let identifier: string | undefined = existing?.identifier;
  if (ctx.endpoint === 'identifier') {
    if (typeof patch['identifier'] === 'string' && patch['identifier'] !== '') identifier = patch['identifier'];
    else if (!existing && ctx.urlKey && ctx.method === 'PATCH' && patch['identifier'] === undefined) identifier = ctx.urlKey;
    if (!identifier) {
      return fail(422, {
        code: 422,
        message:
          'Validation failed. The identifier field is required for this endpoint. If you want to manipulate products without identifiers, please use products-uuid endpoints.',
      });
    }
    if (!existing && ctx.urlKey && identifier !== ctx.urlKey) {
      return fail(422, {
        code: 422,
        message: `The identifier "${identifier}" provided in the request body must match the identifier "${ctx.urlKey}" provided in the url.`,
      });
    }
  }
  let values = mergeValues(existing?.values, patch['values']);
  const idValue = values[idAttr]?.[0]?.data;
  if (ctx.endpoint === 'uuid') identifier = typeof idValue === 'string' ? idValue : identifier;
  if (identifier) values = { ...values, [idAttr]: [{ locale: null, scope: null, data: identifier }] };
  const other = identifier ? view.productByIdentifier(identifier) : undefined;
  const uuid = existing?.uuid ?? (typeof patch['uuid'] === 'string' ? patch['uuid'] : ctx.urlKey && ctx.endpoint === 'uuid' ? ctx.urlKey : ctx.newUuid);
  if (other && other.uuid !== uuid) {
    return fail(422, {
      code: 422,
      message: 'Validation failed.',
      errors: [{ property: 'identifier', message: `The ${identifier} identifier is already used for another product.` }],
    });
  }
  const base: Product = existing ?? {
    uuid,
    enabled: true,
    family: null,
    categories: [],
    groups: [],
    parent: null,
    values: {},
    created: ctx.now,
    updated: ctx.now,
    associations: {},
    quantified_associations: {},
  };
  const next: Product = { ...base, uuid: String(uuid).toLowerCase(), identifier, values, updated: ctx.now };
  for (const key of ['enabled', 'family', 'categories', 'groups', 'parent'] as const) {
    if (key in patch) (next as Record<string, unknown>)[key] = patch[key];
  }
  if (isObject(patch['associations'])) next.associations = mergeObjects(base.associations ?? {}, patch['associations']) as Product['associations'];
  if (isObject(patch['quantified_associations'])) {
    next.quantified_associations = mergeObjects(base.quantified_associations ?? {}, patch['quantified_associations']);
  }
  return { ok: true, value: next, created: !existing };
};

const applyProductModelWrite: ApplyProductModelWrite = (view, existing, patch, ctx) => {
  if (!isObject(patch)) return fail(400, { code: 400, message: 'Invalid json message received' });
  const code = typeof patch['code'] === 'string' ? patch['code'] : (existing?.code ?? ctx.urlKey);
  if (!code) {
    return fail(422, { code: 422, message: 'Validation failed.', errors: [{ property: 'code', message: 'The product model code must not be empty.' }] });
  }
  if (!existing && ctx.urlKey && code !== ctx.urlKey) {
    return fail(422, { code: 422, message: `The code "${code}" provided in the request body must match the code "${ctx.urlKey}" provided in the url.` });
  }
  const fvCode = typeof patch['family_variant'] === 'string' ? patch['family_variant'] : existing?.family_variant;
  const fv = fvCode ? view.familyVariantByCode(fvCode) : undefined;
  if (!existing && !fv) {
    return fail(422, { code: 422, message: 'Validation failed.', errors: [{ property: 'family_variant', message: 'The product model family variant must not be empty.' }] });
  }
  const base: ProductModel = existing ?? {
    code,
    family: (fv as { family?: string } | undefined)?.family ?? '',
    family_variant: fvCode ?? '',
    parent: null,
    categories: [],
    values: {},
    created: ctx.now,
    updated: ctx.now,
    associations: {},
    quantified_associations: {},
  };
  const next: ProductModel = { ...base, values: mergeValues(base.values, patch['values']), updated: ctx.now };
  if ('parent' in patch) next.parent = (patch['parent'] as string | null) ?? null;
  if (Array.isArray(patch['categories'])) next.categories = patch['categories'] as string[];
  if (isObject(patch['associations'])) next.associations = mergeObjects(base.associations ?? {}, patch['associations']) as ProductModel['associations'];
  return { ok: true, value: next, created: !existing };
};

const applyStructureWrite: ApplyStructureWrite = (kind, _view, existing, patch, ctx) => {
  if (!isObject(patch)) return fail(400, { code: 400, message: 'Invalid json message received' });
  const code = typeof patch['code'] === 'string' ? patch['code'] : ((existing as { code?: string } | null)?.code ?? ctx.urlKey);
  if (!code) {
    return fail(422, { code: 422, message: 'Validation failed.', errors: [{ property: 'code', message: 'This value should not be blank.' }] });
  }
  if (!existing && ctx.urlKey && code !== ctx.urlKey) {
    return fail(422, { code: 422, message: `The code "${code}" provided in the request body must match the code "${ctx.urlKey}" provided in the url.` });
  }
  const merged = mergeObjects((existing as Record<string, unknown> | null) ?? {}, patch);
  merged['code'] = code;
  if (kind === ('attribute_option' satisfies StructureKind) && ctx.parentKey) merged['attribute'] = ctx.parentKey;
  if (kind === ('category' satisfies StructureKind) && !('parent' in merged)) merged['parent'] = null;
  return { ok: true, value: merged as never, created: !existing };
};

export const fallbackRules: SandboxRules = { applyProductWrite, applyProductModelWrite, applyStructureWrite };
