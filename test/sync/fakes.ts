/** In-memory stand-ins for the ERP, the mapper and the PIM, to test the engine alone. */
import { randomUUID } from 'node:crypto';
import type { Category, Product, ProductModel, AttributeOption } from '../../src/akeneo/model.js';
import type { ErpRecord, ErpSource, ReadOptions, StreamDescription, StreamName } from '../../src/erp/port.js';
import type { MappedEntity, Mapper, MappingResult } from '../../src/mapping/types.js';
import type { SyncBatchResult, SyncPimClient, SyncListQuery } from '../../src/sync/pim.js';

export class FakeErp implements ErpSource {
  readonly kind = 'fake';
  readonly streams: readonly StreamName[] = ['items', 'groups', 'categories'];
  records = new Map<string, ErpRecord>();
  reads: { stream: string; since?: string; keys?: number }[] = [];
  /** Keys a since-read does not see yet (their change commits while the read runs). */
  lateCommits = new Set<string>();
  /** Rows the adapter cannot read (a bad value in the ERP): reported through onReject, never yielded. */
  badRows = new Map<string, { key: string; field: string; message: string }>();
  private clock = Date.parse('2026-01-01T00:00:00Z');

  tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
  put(rec: Omit<ErpRecord, 'updatedAt'> & { updatedAt?: string | null }): ErpRecord {
    const full = { ...rec, updatedAt: rec.updatedAt === undefined ? this.tick() : rec.updatedAt } as ErpRecord;
    this.records.set(`${rec.stream}:${rec.key}`, full);
    return full;
  }
  item(key: string, group: string | null, fields: ErpRecord['fields'], extra: Partial<ErpRecord> = {}): ErpRecord {
    return this.put({ stream: 'items', key, group, categories: ['cat_a'], active: true, fields, ...extra });
  }
  edit(stream: StreamName, key: string, change: (r: ErpRecord) => void): void {
    const r = this.records.get(`${stream}:${key}`)!;
    change(r);
    r.updatedAt = this.tick();
  }
  remove(stream: StreamName, key: string): void {
    this.records.delete(`${stream}:${key}`);
  }
  async check() {
    return { ok: true, system: 'fake', details: {}, counts: {}, problems: [] };
  }
  async describe(): Promise<StreamDescription[]> {
    return [];
  }
  async *read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
    this.reads.push({ stream, since: options.since, keys: options.keys?.length });
    for (const r of [...this.records.values()]) {
      if (r.stream !== stream) continue;
      if (options.keys && !options.keys.includes(r.key)) continue;
      if (options.since && r.updatedAt && Date.parse(r.updatedAt) < Date.parse(options.since)) continue;
      if (!options.keys && this.lateCommits.has(r.key)) continue;
      const bad = this.badRows.get(`${stream}:${r.key}`);
      if (bad) {
        options.onReject?.({ stream, key: bad.key, field: bad.field, location: `fake ${stream} ${bad.key}`, message: bad.message, raw: JSON.stringify(r.fields) });
        continue;
      }
      yield structuredClone(r);
    }
  }
  async close() {}
}

/** A mapper with the shape of the real one: groups → root models, items → variants (or simple products). */
export function fakeMapper(): Mapper {
  const owned = new Set(['sku', 'name', 'weight', 'color', 'description']);
  const values = (rec: ErpRecord, attrs: string[]) => {
    const out: Record<string, { locale: string | null; scope: string | null; data: unknown }[]> = {};
    for (const a of attrs) {
      const v = rec.fields[a];
      if (a === 'name' || a === 'description') {
        out[a] = [{ locale: 'en_US', scope: null, data: typeof v === 'string' && v !== '' ? v : null }];
      } else if (a === 'sku') out[a] = [{ locale: null, scope: null, data: rec.key }];
      else if (v !== undefined) out[a] = [{ locale: null, scope: null, data: v === '' ? null : v }];
    }
    return out;
  };
  return {
    ownedAttributes: owned,
    identifierAttribute: 'sku',
    mapCategories(records: ErpRecord[]): MappingResult {
      const sorted = [...records].sort((a, b) => (a.parent ? 1 : 0) - (b.parent ? 1 : 0));
      return {
        entities: sorted.map((r) => ({
          kind: 'category' as const,
          origin: { stream: 'categories' as const, key: r.key, updatedAt: r.updatedAt },
          code: r.key,
          parent: r.parent ?? null,
          labels: { en_US: String(r.fields.name ?? r.key) },
        })),
        missingOptions: [],
        errors: [],
      };
    },
    mapItems(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): MappingResult {
      const entities: MappedEntity[] = [];
      const errors: MappingResult['errors'] = [];
      const missingOptions: MappingResult['missingOptions'] = [];
      const group = items[0]!.group ? groups.get(items[0]!.group) : undefined;
      const asModel = !!items[0]!.group && items.length > 1;
      if (asModel) {
        entities.push({
          kind: 'product_model',
          origin: { stream: 'groups', key: items[0]!.group!, updatedAt: group?.updatedAt ?? null },
          code: items[0]!.group!,
          family: 'fam',
          familyVariant: 'fam_by_color',
          parent: null,
          values: group ? values(group, ['description']) : {},
        });
      }
      for (const it of items) {
        if (it.fields.weight === 'bad') {
          errors.push({
            kind: 'not_a_number',
            origin: { stream: 'items', key: it.key, updatedAt: it.updatedAt },
            recordLabel: it.key,
            erpField: 'weight',
            attribute: 'weight',
            value: 'bad',
            message: 'weight "bad" is not a number',
            fix: 'enter a number',
            blocksRecord: true,
          });
          continue;
        }
        if (typeof it.fields.color === 'string' && it.fields.color.startsWith('new_')) {
          missingOptions.push({ kind: 'option', attribute: 'color', code: it.fields.color, labels: { en_US: it.fields.color }, erpValue: it.fields.color });
        }
        entities.push({
          kind: 'product',
          origin: { stream: 'items', key: it.key, updatedAt: it.updatedAt },
          identifier: it.key,
          family: 'fam',
          parent: asModel ? it.group! : null,
          categories: it.categories,
          values: values(it, ['sku', 'name', 'weight', 'color']),
        });
      }
      return { entities, missingOptions, errors };
    },
  };
}

export interface Call {
  lane: string;
  items: Record<string, unknown>[];
}

type LineFault = (lane: string, item: Record<string, unknown>) => { status: number; message: string; errors?: { message: string; attribute?: string }[] } | null;

/** A PIM that merges values like Akeneo and answers per line, with hooks to inject failures. */
export class FakePim implements SyncPimClient {
  products_ = new Map<string, Product>();
  models = new Map<string, ProductModel>();
  cats = new Map<string, Category>();
  options = new Map<string, AttributeOption>();
  calls: Call[] = [];
  requests = 0;
  faults: LineFault[] = [];
  /** Throw for the whole batch this many times. */
  batchErrors = 0;
  /** Called before each batch; may throw to simulate a crash. */
  beforeBatch?: (lane: string) => void;
  mode: 'uuid' | 'identifier' = 'uuid';
  media = new Map<string, Buffer>();

  async detect() {
    return { version: '7.0', edition: 'CE', endpointMode: this.mode };
  }
  stats() {
    return { total: this.requests, writes: this.calls.length, retried: 0, throttled: 0 };
  }

  private merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'values') {
        const tv = (target.values ??= {}) as Record<string, { locale: string | null; scope: string | null; data: unknown }[]>;
        for (const [attr, entries] of Object.entries(v as typeof tv)) {
          const list = (tv[attr] ??= []);
          for (const e of entries) {
            const i = list.findIndex((x) => x.locale === e.locale && x.scope === e.scope);
            if (i >= 0) list[i] = e;
            else list.push(e);
          }
        }
      } else if (k === 'labels') {
        target.labels = { ...(target.labels as object), ...(v as object) };
      } else target[k] = v;
    }
  }

  private batch<T>(lane: string, items: T[], store: Map<string, T>, keyOf: (i: T) => string, check?: (i: T) => string | null): SyncBatchResult<T>[] {
    this.beforeBatch?.(lane);
    this.requests++;
    if (this.batchErrors > 0) {
      this.batchErrors--;
      throw Object.assign(new Error('socket hang up'), { status: 0 });
    }
    this.calls.push({ lane, items: structuredClone(items) as Record<string, unknown>[] });
    return items.map((input, index) => {
      const key = keyOf(input);
      for (const f of this.faults) {
        const fault = f(lane, input as Record<string, unknown>);
        if (fault) return { input, index, line: index + 1, status: fault.status, outcome: 'failed' as const, key, message: fault.message, errors: fault.errors };
      }
      const problem = check?.(input) ?? null;
      if (problem) return { input, index, line: index + 1, status: 422, outcome: 'failed' as const, key, message: problem };
      const existing = store.get(key);
      if (existing) {
        this.merge(existing as Record<string, unknown>, input as Record<string, unknown>);
        return { input, index, line: index + 1, status: 204, outcome: 'updated' as const, key, uuid: (existing as { uuid?: string }).uuid };
      }
      const copy = structuredClone(input);
      store.set(key, copy);
      return { input, index, line: index + 1, status: 201, outcome: 'created' as const, key, uuid: (copy as { uuid?: string }).uuid };
    });
  }

  productByIdentifier(sku: string): Product | undefined {
    for (const p of this.products_.values()) if (p.values?.sku?.[0]?.data === sku || p.identifier === sku) return p;
    return undefined;
  }

  products = {
    upsertMany: async (items: Product[]) =>
      this.batch('product', items, this.products_, (p) => (this.mode === 'uuid' ? (p.uuid ??= randomUUID()) : p.identifier!), (p) => {
        if (p.parent && !this.models.has(p.parent)) return `Property "parent" expects a valid parent code. The parent product model does not exist, "${p.parent}" given.`;
        const color = p.values?.color?.[0]?.data;
        if (typeof color === 'string' && !this.options.has(`color:${color}`) && !['red', 'blue', 'green'].includes(color))
          return `The ${color} value is not in the color attribute option list.`;
        const sku = p.values?.sku?.[0]?.data;
        if (this.mode === 'uuid' && typeof sku === 'string') {
          const other = this.productByIdentifier(sku);
          if (other && other.uuid !== p.uuid) return `The ${sku} identifier is already used for another product.`;
        }
        return null;
      }),
    list: (query?: SyncListQuery) => {
      const store = this.products_;
      this.requests++;
      return (async function* () {
        const search = query?.search ? (JSON.parse(query.search) as Record<string, { value: string[] }[]>) : {};
        for (const p of store.values()) {
          if (search.uuid && !search.uuid[0]!.value.includes(p.uuid!)) continue;
          if (search.sku && !search.sku[0]!.value.includes(String(p.values?.sku?.[0]?.data))) continue;
          yield structuredClone(p);
        }
      })();
    },
    get: async (id: string) => this.products_.get(id)!,
    delete: async (id: string) => {
      this.requests++;
      this.calls.push({ lane: 'delete', items: [{ id }] });
      this.products_.delete(id);
    },
  };
  productModels = {
    upsertMany: async (items: ProductModel[]) => this.batch('product_model', items, this.models, (m) => m.code),
    list: () => {
      const store = this.models;
      this.requests++;
      return (async function* () {
        for (const m of store.values()) yield structuredClone(m);
      })();
    },
    get: async (id: string) => this.models.get(id)!,
  };
  categories = {
    upsertMany: async (items: Category[]) =>
      this.batch('category', items, this.cats, (c) => c.code, (c) => (c.parent && !this.cats.has(c.parent) ? `Property "parent" expects a valid category code. The category does not exist, "${c.parent}" given.` : null)),
    list: () => (async function* () {})(),
    get: async (id: string) => this.cats.get(id)!,
  };
  attributeOptions(attribute: string) {
    return {
      upsertMany: async (items: AttributeOption[]) => {
        const store = new Map<string, AttributeOption>();
        const res = this.batch(`option:${attribute}`, items, store, (o) => o.code);
        for (const [k, v] of store) this.options.set(`${attribute}:${k}`, v);
        return res;
      },
    };
  }
  mediaFiles = {
    upload: async (req: { content: Buffer; filename: string }) => {
      this.requests++;
      const code = `media/${this.media.size}/${req.filename}`;
      this.media.set(code, req.content);
      return code;
    },
  };

  /** The PIM content in a comparable form (uuids replaced by identifiers). */
  snapshot(): unknown {
    const products = [...this.products_.values()]
      .map((p) => {
        const { uuid: _u, ...rest } = p;
        const values = Object.fromEntries(Object.entries(rest.values ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort((x, y) => String(x.locale).localeCompare(String(y.locale)))]));
        return { ...rest, values };
      })
      .sort((a, b) => String(a.values.sku?.[0]?.data).localeCompare(String(b.values.sku?.[0]?.data)));
    return { products, models: [...this.models.values()].sort((a, b) => a.code.localeCompare(b.code)), categories: [...this.cats.values()].sort((a, b) => a.code.localeCompare(b.code)) };
  }
}
