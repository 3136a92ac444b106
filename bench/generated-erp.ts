/**
 * The benchmarks' ERP: N items in product models of 1–12 colour variants (a stable pseudo-random
 * layout), with groups and a small category tree; `changed` gives 1 % of the items a new weight
 * and a later date. Shared by bench/sync.ts and bench/scale.ts.
 */
import type { ErpRecord, ErpSource, ReadOptions, StreamDescription, StreamName } from '../src/erp/port.js';

const COLORS = ['black', 'white', 'red', 'blue', 'green', 'yellow', 'orange', 'purple', 'grey', 'brown', 'pink', 'navy'];
const BRANDS = Array.from({ length: 20 }, (_, i) => `brand${String(i + 1).padStart(2, '0')}`);
const T0 = Date.parse('2026-01-01T00:00:00Z');

function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Items in groups of 1–12 colour variants; `changed` items get a new weight and a later date. */
export class GeneratedErp implements ErpSource {
  readonly kind = 'bench';
  readonly streams: readonly StreamName[] = ['items', 'groups', 'categories'];
  /** group index → [first item index, variant count] */
  private readonly groups: [number, number][] = [];
  changed = false;

  constructor(readonly items: number) {
    let i = 0;
    for (let g = 0; i < items; g++) {
      const n = Math.min(1 + (mix(g) % 12), items - i);
      this.groups.push([i, n]);
      i += n;
    }
  }

  get groupCount(): number {
    return this.groups.length;
  }

  isChanged(index: number): boolean {
    return this.changed && index % 100 === 7;
  }

  private item(g: number, v: number): ErpRecord {
    const index = this.groups[g]![0] + v;
    const changed = this.isChanged(index);
    const grams = 100 + (mix(index) % 5000) + (changed ? 1 : 0);
    return {
      stream: 'items',
      key: `B${g}-${v}`,
      updatedAt: new Date(changed ? T0 + (this.items + 1000) * 1000 : T0 + index * 1000).toISOString(),
      group: `G${g}`,
      categories: [`cat_${g % 10}`],
      active: true,
      fields: {
        name: { kind: 'localized', values: { en: `Product ${g}`, fr: `Produit ${g}`, de: `Produkt ${g}` } },
        color: COLORS[v]!,
        brand: BRANDS[g % BRANDS.length]!,
        ean: String(4000000000000 + index),
        weight: { kind: 'quantity', amount: String(grams), unit: 'g' },
      },
    };
  }

  private group(g: number): ErpRecord {
    return {
      stream: 'groups',
      key: `G${g}`,
      updatedAt: new Date(T0).toISOString(),
      categories: [`cat_${g % 10}`],
      fields: {
        name: { kind: 'localized', values: { en: `Product ${g}`, fr: `Produit ${g}`, de: `Produkt ${g}` } },
        description: { kind: 'localized', values: { en: `The product line number ${g}, in ${this.groups[g]![1]} colours.` } },
        brand: BRANDS[g % BRANDS.length]!,
      },
    };
  }

  async check() {
    return { ok: true, system: 'generated', details: {}, counts: { items: this.items }, problems: [] };
  }

  async describe(): Promise<StreamDescription[]> {
    return [
      {
        stream: 'items',
        supportsDelta: true,
        fields: [
          { name: 'name', type: 'localized', languages: ['en', 'fr', 'de'] },
          { name: 'color', type: 'select', options: COLORS },
          { name: 'brand', type: 'select', options: BRANDS },
          { name: 'ean', type: 'string' },
          { name: 'weight', type: 'quantity', units: ['g'] },
        ],
      },
      {
        stream: 'groups',
        supportsDelta: true,
        fields: [
          { name: 'name', type: 'localized', languages: ['en', 'fr', 'de'] },
          { name: 'description', type: 'localized', languages: ['en'] },
          { name: 'brand', type: 'select', options: BRANDS },
        ],
      },
      { stream: 'categories', supportsDelta: false, fields: [{ name: 'name', type: 'localized', languages: ['en'] }] },
    ];
  }

  async *read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
    const since = options.since ? Date.parse(options.since) : null;
    const keep = (r: ErpRecord) => since === null || (r.updatedAt !== null && Date.parse(r.updatedAt) >= since);
    if (stream === 'categories') {
      const cats: ErpRecord[] = [{ stream: 'categories', key: 'shop', updatedAt: null, parent: null, fields: { name: { kind: 'localized', values: { en: 'Shop' } } } }];
      for (let c = 0; c < 10; c++) cats.push({ stream: 'categories', key: `cat_${c}`, updatedAt: null, parent: 'shop', fields: { name: { kind: 'localized', values: { en: `Category ${c}` } } } });
      for (const c of cats) if (!options.keys || options.keys.includes(c.key)) yield c;
      return;
    }
    if (options.keys) {
      for (const key of options.keys) {
        if (stream === 'groups') {
          const g = Number(key.slice(1));
          if (this.groups[g]) yield this.group(g);
        } else {
          const [g, v] = key.slice(1).split('-').map(Number) as [number, number];
          if (this.groups[g] && v < this.groups[g]![1]) yield this.item(g, v);
        }
      }
      return;
    }
    for (let g = 0; g < this.groups.length; g++) {
      if (stream === 'groups') {
        const r = this.group(g);
        if (keep(r)) yield r;
        continue;
      }
      for (let v = 0; v < this.groups[g]![1]; v++) {
        const r = this.item(g, v);
        if (keep(r)) yield r;
      }
    }
  }

  async close() {}
}

