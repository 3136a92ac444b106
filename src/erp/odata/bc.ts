/**
 * Business Central (API v2.0) specifics: the company every entity set hangs under
 * (`companies(<id>)/items`), and item variants. BC has no product models: an item with item
 * variants is a Ferry group (model) and each variant a Ferry item keyed `<item number>-<variant
 * code>`, carrying the item's values plus `variant` (the code) and `variant_description`; an item
 * without variants is a plain Ferry item. Variants are few (one request per page, all read on every
 * run) and decide which items are groups. See docs/erp-odata.md.
 */
import { deltaWindow, laterOf, type RejectCollector } from '../common/index.js';
import { ErpError, type ErpRecord, type ReadOptions } from '../port.js';
import type { EdmModel } from './metadata.js';
import { BC_VARIANTS, type ResolvedStream } from './profiles.js';
import { keysOnlyPlan, planStream, type StreamPlan } from './reader.js';
import type { OdataService } from './service.js';
import { safeUrl } from './http.js';
import { collectionRows } from './values.js';
import { chunks } from '../../util/chunks.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ferry's key for a BC item variant. */
export function variantKey(itemNumber: string, code: string): string {
  return `${itemNumber}-${code}`;
}

/** `companies(<id>)` for erp.company (id, name or display name), or the only company there is. */
export async function bcCompanyScope(service: OdataService, company: string | undefined): Promise<string> {
  const url = `${service.root}/companies?$select=id,name,displayName`;
  const rows = collectionRows(await service.getJson(url, 'Reading the Business Central companies')) ?? [];
  const companies = rows.map((r) => ({ id: String(r.id ?? ''), name: String(r.name ?? ''), displayName: String(r.displayName ?? '') }));
  const names = companies.map((c) => `"${c.name}"`).join(', ') || '(none)';
  if (company === undefined) {
    if (companies.length === 1) return `companies(${companies[0]!.id})`;
    throw new ErpError(`erp.company: the Business Central environment at ${safeUrl(service.root)} has ${companies.length} companies; name one of: ${names}`, 'config');
  }
  const wanted = company.trim().toLowerCase();
  const found = companies.find((c) => c.id.toLowerCase() === wanted) ?? companies.find((c) => c.name.toLowerCase() === wanted || c.displayName.toLowerCase() === wanted);
  if (!found) throw new ErpError(`erp.company: no company "${company}" in the Business Central environment at ${safeUrl(service.root)}; companies: ${names}`, 'config');
  if (!GUID.test(found.id)) throw new ErpError(`Business Central company "${found.name}" has no GUID id ("${found.id}")`, 'protocol');
  return `companies(${found.id})`;
}

/** What bc.ts needs from the adapter: planned streams and their rows. */
export interface BcReadContext {
  service: OdataService;
  model: EdmModel;
  itemPlan: StreamPlan;
  groupPlan: StreamPlan;
  marginSeconds: number;
  /** Rows of a planned stream as records; `seen` deduplicates by key (null: no deduplication). */
  rows(p: StreamPlan, options: ReadOptions, keys: string[] | undefined, seen: Set<string> | null, rejects: RejectCollector): AsyncGenerator<ErpRecord>;
  rejects: RejectCollector;
  /** A keys-only read (ReadOptions.fields 'none'): the variants are read without their fields too. */
  keysOnly?: boolean;
}

const KEYS_PER_REQUEST = 40;


/** The variants stream planned against the service (its change field only where the service has one). */
export function planVariants(model: EdmModel, url: string): StreamPlan {
  const type = model.entitySets.get(BC_VARIANTS.entitySet);
  const def: ResolvedStream = { ...BC_VARIANTS, stream: 'items', fromProfile: new Set(['variant_description']) };
  if (type && BC_VARIANTS.changeField && !type.properties.has(BC_VARIANTS.changeField)) delete def.changeField;
  return planStream(def, model, url);
}

/** Every item variant, by item number. */
async function variantsByItem(ctx: BcReadContext, signal: AbortSignal | undefined): Promise<Map<string, ErpRecord[]>> {
  const planned = planVariants(ctx.model, safeUrl(ctx.service.root));
  const plan = ctx.keysOnly ? keysOnlyPlan(planned) : planned;
  const byItem = new Map<string, ErpRecord[]>();
  for await (const v of ctx.rows(plan, signal ? { signal } : {}, undefined, null, ctx.rejects)) {
    if (!v.group) continue;
    byItem.set(v.group, [...(byItem.get(v.group) ?? []), v]);
  }
  return byItem;
}

function variantRecord(item: ErpRecord, variant: ErpRecord): ErpRecord {
  const { ean: _itemGtin, ...itemFields } = item.fields;
  const record: ErpRecord = {
    stream: 'items',
    key: variantKey(item.key, variant.key),
    updatedAt: laterOf(item.updatedAt, variant.updatedAt),
    group: item.key,
    fields: { ...itemFields, ...variant.fields },
  };
  if (item.categories) record.categories = item.categories;
  if (item.active !== undefined) record.active = item.active;
  return record;
}

/** Ferry groups: BC items that have variants. */
export async function* readBcGroups(ctx: BcReadContext, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const byItem = await variantsByItem(ctx, options.signal);
  const keys = options.keys ? options.keys.filter((k) => byItem.has(k)) : [...byItem.keys()].sort();
  const seen = new Set<string>();
  for (const chunk of chunks(keys, KEYS_PER_REQUEST)) {
    yield* ctx.rows(ctx.groupPlan, options, chunk, seen, ctx.rejects);
  }
}

/** Ferry items: BC items without variants, and every variant of the others. */
export async function* readBcItems(ctx: BcReadContext, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const byItem = await variantsByItem(ctx, options.signal);
  const base: ReadOptions = options.signal ? { signal: options.signal } : {};
  const seen = new Set<string>();
  const variantsOf = function* (item: ErpRecord, only?: (v: ErpRecord) => boolean): Generator<ErpRecord> {
    for (const v of byItem.get(item.key) ?? []) if (!only || only(v)) yield variantRecord(item, v);
  };
  if (options.keys) {
    const wanted = new Set(options.keys);
    const itemOfVariant = new Map<string, string>();
    for (const [number, variants] of byItem) for (const v of variants) itemOfVariant.set(variantKey(number, v.key), number);
    const numbers = [...new Set(options.keys.map((k) => itemOfVariant.get(k) ?? k))];
    for (const chunk of chunks(numbers, KEYS_PER_REQUEST)) {
      for await (const item of ctx.rows(ctx.itemPlan, { ...base, ...(options.since ? { since: options.since } : {}) }, chunk, seen, ctx.rejects)) {
        if (byItem.has(item.key)) yield* variantsOf(item, (v) => wanted.has(variantKey(item.key, v.key)));
        else if (wanted.has(item.key)) yield item;
      }
    }
    return;
  }
  const readItems = new Set<string>();
  for await (const item of ctx.rows(ctx.itemPlan, options, undefined, seen, ctx.rejects)) {
    readItems.add(item.key);
    if (byItem.has(item.key)) yield* variantsOf(item);
    else yield item;
  }
  if (options.since === undefined) return;
  // A variant changed on its own (its item did not): read its item to give it the item's values.
  const from = deltaWindow(options.since, ctx.marginSeconds).from.getTime();
  const changed = (v: ErpRecord): boolean => v.updatedAt !== null && Date.parse(v.updatedAt) >= from;
  const items = [...byItem].filter(([number, variants]) => !readItems.has(number) && variants.some(changed)).map(([number]) => number);
  for (const chunk of chunks(items, KEYS_PER_REQUEST)) {
    for await (const item of ctx.rows(ctx.itemPlan, base, chunk, seen, ctx.rejects)) yield* variantsOf(item, changed);
  }
}
