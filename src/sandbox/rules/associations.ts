/**
 * Associations and quantified associations: merged per association type and per target kind
 * (a list sent replaces that list only), targets checked to exist. Products are stored by uuid
 * (see contract.ts); /products writes name them by identifier and are translated here.
 */
import type { Associations } from '../../akeneo/model.js';
import type { CatalogView } from './contract.js';
import { documented, linked } from './errors.js';
import { gettype, isPhpArray, isPlainObject, phpArrayValues } from './php.js';

const TWO_WAY_HELP =
  'https://help.akeneo.com/pim/serenity/articles/manage-your-association-types.html#create-a-2-way-association-type';
const TWO_WAY_SELF = 'A 2-way association only allows two different products or product models to be associated';

export interface AssociationContext {
  anchor: string;
  /** How `products` lists name products in this request. */
  productKey: 'uuid' | 'identifier';
  /** The entity being written, to refuse 2-way self associations. */
  selfUuid?: string;
  selfIdentifier?: string | null;
  selfModelCode?: string;
}

type Kind = 'products' | 'product_models' | 'groups';

function stringList(raw: unknown, anchor: string): string[] {
  if (!isPhpArray(raw)) {
    throw documented(`Property "associations" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  const items = phpArrayValues(raw);
  for (const item of items) {
    if (typeof item !== 'string') {
      throw documented(`Property "associations" expects an array with valid data, one of the values is not a string.`, anchor);
    }
  }
  return [...new Set(items as string[])];
}

/** Empty association lists for every (non-quantified) association type, as GET shows them. */
export function emptyAssociations(view: CatalogView): Associations {
  const out: Associations = {};
  for (const t of view.associationTypes?.() ?? []) {
    if (t.is_quantified === true) continue;
    out[t.code] = { products: [], product_models: [], groups: [] };
  }
  return out;
}

export function applyAssociations(
  view: CatalogView,
  current: Associations | undefined,
  raw: unknown,
  ctx: AssociationContext,
): Associations {
  const { anchor } = ctx;
  if (!isPlainObject(raw)) {
    if (Array.isArray(raw) && raw.length === 0) return clone(current);
    throw documented(`Property "associations" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  const out = clone(current);
  for (const [typeCode, targets] of Object.entries(raw)) {
    const type = view.associationType(typeCode);
    if (!type || type.is_quantified === true) {
      throw documented(
        `Property "associations" expects a valid association type code. The association type does not exist or is quantified, "${typeCode}" given.`,
        anchor,
      );
    }
    if (!isPlainObject(targets)) {
      if (Array.isArray(targets) && targets.length === 0) continue;
      throw documented(`Property "associations" expects an array as data, "${gettype(targets)}" given.`, anchor);
    }
    const entry = out[type.code] ?? { products: [], product_models: [], groups: [] };
    for (const [kindRaw, list] of Object.entries(targets)) {
      const kind: Kind | undefined =
        kindRaw === 'products' || kindRaw === 'product_uuids'
          ? 'products'
          : kindRaw === 'product_models' || kindRaw === 'groups'
            ? kindRaw
            : undefined;
      if (!kind) {
        throw documented(
          `Property "associations" expects an array with valid data, association format is not valid for the association type "${typeCode}", "${kindRaw}" given.`,
          anchor,
        );
      }
      const codes = stringList(list, anchor);
      const byUuid = kindRaw === 'product_uuids' || ctx.productKey === 'uuid';
      entry[kind] = codes.map((c) => resolveTarget(view, kind, c, byUuid, anchor));
      if (type.is_two_way === true) refuseSelf(kind, entry[kind] ?? [], ctx);
    }
    out[type.code] = { products: entry.products ?? [], product_models: entry.product_models ?? [], groups: entry.groups ?? [] };
  }
  return out;
}

function resolveTarget(view: CatalogView, kind: Kind, code: string, byUuid: boolean, anchor: string): string {
  if (kind === 'products') {
    const product = byUuid ? view.productByUuid(code.toLowerCase()) : view.productByIdentifier(code);
    if (!product || !product.uuid) {
      throw documented(
        `The “associations” property expects a valid product ${byUuid ? 'uuid' : 'identifier'}. The ${code} product does not exist or your connection does not have permission to access it.`,
        anchor,
      );
    }
    return product.uuid;
  }
  if (kind === 'product_models') {
    const model = view.productModel(code);
    if (!model) {
      throw documented(
        `Property "associations" expects a valid product model identifier. The product model does not exist, "${code}" given.`,
        anchor,
      );
    }
    return model.code;
  }
  const group = view.group(code);
  if (!group) {
    throw documented(`Property "associations" expects a valid group code. The group does not exist, "${code}" given.`, anchor);
  }
  return group.code;
}

function refuseSelf(kind: Kind, targets: string[], ctx: AssociationContext): void {
  const self =
    kind === 'products' ? ctx.selfUuid : kind === 'product_models' ? ctx.selfModelCode : undefined;
  if (self !== undefined && targets.some((t) => t.toLowerCase() === self.toLowerCase())) {
    throw linked(TWO_WAY_SELF, TWO_WAY_HELP);
  }
}

function clone(a: Associations | undefined): Associations {
  const out: Associations = {};
  for (const [k, v] of Object.entries(a ?? {})) {
    out[k] = { products: [...(v.products ?? [])], product_models: [...(v.product_models ?? [])], groups: [...(v.groups ?? [])] };
  }
  return out;
}

type Quantified = Record<string, { products?: { uuid: string; quantity: number }[]; product_models?: { code: string; quantity: number }[] }>;

/** `quantified_associations`: same merge rule; products stored as {uuid, quantity}. */
export function applyQuantifiedAssociations(
  view: CatalogView,
  current: Record<string, unknown> | undefined,
  raw: unknown,
  ctx: AssociationContext,
): Record<string, unknown> {
  const { anchor } = ctx;
  const out = structuredClone((current ?? {}) as Quantified);
  if (!isPlainObject(raw)) {
    if (Array.isArray(raw) && raw.length === 0) return out;
    throw documented(`Property "quantified_associations" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  for (const [typeCode, targets] of Object.entries(raw)) {
    const type = view.associationType(typeCode);
    if (!type || type.is_quantified !== true) {
      throw documented(
        `Property "quantified_associations" expects a valid association type code. The association type does not exist or is not quantified, "${typeCode}" given.`,
        anchor,
      );
    }
    if (!isPlainObject(targets)) {
      throw documented(`Property "quantified_associations" expects an array as data, "${gettype(targets)}" given.`, anchor);
    }
    const entry = out[type.code] ?? { products: [], product_models: [] };
    for (const [kind, list] of Object.entries(targets)) {
      if (kind !== 'products' && kind !== 'product_models') {
        throw documented(`Property "quantified_associations" expects an array with valid data, "${kind}" given.`, anchor);
      }
      if (!Array.isArray(list)) {
        throw documented(`Property "quantified_associations" expects an array as data, "${gettype(list)}" given.`, anchor);
      }
      const links: { key: string; quantity: number }[] = [];
      for (const item of list) {
        const key = isPlainObject(item) ? (kind === 'products' ? (item.uuid ?? item.identifier) : item.code) : undefined;
        const quantity = isPlainObject(item) ? item.quantity : undefined;
        if (typeof key !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
          throw documented(`Property "quantified_associations" expects an array with valid data, a quantified link must have a code and a strictly positive integer quantity.`, anchor);
        }
        links.push({ key, quantity });
      }
      if (kind === 'products') {
        entry.products = links.map((l) => ({
          uuid: resolveTarget(view, 'products', l.key, isPlainObject(list[0]) && 'uuid' in list[0], anchor),
          quantity: l.quantity,
        }));
      } else {
        entry.product_models = links.map((l) => ({ code: resolveTarget(view, 'product_models', l.key, false, anchor), quantity: l.quantity }));
      }
    }
    out[type.code] = { products: entry.products ?? [], product_models: entry.product_models ?? [] };
  }
  return out;
}
