/**
 * bench:mapping — maps generated ERP items (30 fields, 3 languages, groups of 1–12 variants) to
 * Akeneo payloads through createMapper, one group at a time as the sync engine feeds it.
 * Prints ONE JSON object: items, itemsPerSecond (items over the time spent mapping; generating the
 * records is timed apart, endToEndItemsPerSecond), peakRssMb (+ details). Target: ≥ 50,000 items/s
 * on one core with memory flat in the number of items.
 *
 *   npm run bench:mapping [-- --items 200000]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Attribute, FamilyVariant } from '../src/akeneo/model.js';
import type { ErpRecord, FieldValue } from '../src/erp/port.js';
import { buildPimStructure, createMapper, mappingConfigSchema } from '../src/mapping/index.js';

/**
 * Ferry's recommended V8 setting for big runs (docs/sync.md, "Memory and speed"): a 32 MB young
 * generation. Mapping allocates many short-lived objects per record; with V8's default 16 MB
 * semi-space they are scavenged and promoted too early. The benchmark re-runs itself with it,
 * as bench:sync does, unless `--default-gc`, and prints the flags it ran with.
 */
const NODE_FLAGS = process.argv.includes('--default-gc') ? [] : ['--max-semi-space-size=32'];
if (!process.env.FERRY_BENCH_CHILD && NODE_FLAGS.length > 0) {
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    env: { ...process.env, FERRY_BENCH_CHILD: '1' },
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  process.exit(code ?? 1);
}

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg('items', 200_000);
const SEED = arg('seed', 42);

/** Small deterministic PRNG (mulberry32) so every run maps the same catalog. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

const COLORS = ['black', 'white', 'red', 'blue', 'navy', 'green', 'grey', 'beige', 'yellow', 'orange'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const BRANDS = ['Alder & Finch', 'Bergholm', 'Cascade', 'Dunmore', 'Estrela', 'Fjordline', 'Granite Co.'];
const MATERIALS = ['cotton', 'wool', 'steel', 'oak', 'leather', 'polyester'];

// 20 extra ERP attributes of mixed types on top of the 10 standard fields = 30 fields.
const EXTRA: { code: string; type: Attribute['type']; gen: () => FieldValue; extra?: Partial<Attribute> }[] = [];
for (let i = 1; i <= 20; i++) {
  const code = `attr_${String(i).padStart(2, '0')}`;
  switch (i % 7) {
    case 0:
      EXTRA.push({ code, type: 'pim_catalog_text', gen: () => `value ${int(1, 5000)}` });
      break;
    case 1:
      EXTRA.push({ code, type: 'pim_catalog_number', gen: () => ({ kind: 'decimal', value: `${int(0, 999)}.${int(0, 99)}` }), extra: { decimals_allowed: true } });
      break;
    case 2:
      EXTRA.push({ code, type: 'pim_catalog_boolean', gen: () => pick(['Y', 'N', '1', '0']) });
      break;
    case 3:
      EXTRA.push({ code, type: 'pim_catalog_date', gen: () => `20${int(10, 29)}-0${int(1, 9)}-1${int(0, 9)}` });
      break;
    case 4:
      EXTRA.push({ code, type: 'pim_catalog_simpleselect', gen: () => pick(MATERIALS) });
      break;
    case 5:
      EXTRA.push({ code, type: 'pim_catalog_multiselect', gen: () => [pick(MATERIALS), pick(MATERIALS)] });
      break;
    default:
      EXTRA.push({ code, type: 'pim_catalog_textarea', gen: () => ({ kind: 'localized', values: { en: `Text ${int(1, 99)}`, fr: `Texte ${int(1, 99)}`, de: `Text ${int(1, 99)}` } }), extra: { localizable: true } });
  }
}

const erpAttr = (code: string, type: Attribute['type'], extra: Partial<Attribute> = {}): Attribute => ({ code, type, group: 'erp', localizable: false, scopable: false, ...extra });
const attributes: Attribute[] = [
  erpAttr('sku', 'pim_catalog_identifier', { group: 'other', unique: true }),
  erpAttr('name', 'pim_catalog_text', { localizable: true }),
  erpAttr('description', 'pim_catalog_textarea', { localizable: true }),
  erpAttr('brand', 'pim_catalog_simpleselect'),
  erpAttr('color', 'pim_catalog_simpleselect'),
  erpAttr('size', 'pim_catalog_simpleselect'),
  erpAttr('ean', 'pim_catalog_text'),
  ...['weight', 'length', 'width', 'height'].map((c) =>
    erpAttr(c, 'pim_catalog_metric', { metric_family: c === 'weight' ? 'Weight' : 'Length', default_metric_unit: c === 'weight' ? 'KILOGRAM' : 'CENTIMETER', decimals_allowed: true }),
  ),
  ...EXTRA.map((e) => erpAttr(e.code, e.type, e.extra)),
];
const familyVariants: (FamilyVariant & { family: string })[] = [
  { code: 'erp_product_color_size', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: [] }, { level: 2, axes: ['size'], attributes: ['ean', 'weight'] }] },
  { code: 'erp_product_color', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['ean', 'weight'] }] },
  { code: 'erp_product_size', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['size'], attributes: ['ean', 'weight'] }] },
];
const mf = (code: string, standard: string, units: Record<string, string>) => ({
  code,
  standard_unit_code: standard,
  units: Object.fromEntries(Object.entries(units).map(([u, v]) => [u, { code: u, convert_from_standard: [{ operator: 'mul', value: v }] }])),
});
const pim = buildPimStructure({
  edition: 'Serenity',
  attributes,
  attributeGroups: ['erp', 'other'],
  families: [{ code: 'erp_product', attribute_as_label: 'name', attributes: attributes.map((a) => a.code) }],
  familyVariants,
  channels: [{ code: 'ecommerce', locales: ['en_US', 'fr_FR', 'de_DE'], currencies: ['EUR'], category_tree: 'master' }],
  locales: ['en_US', 'fr_FR', 'de_DE'],
  currencies: ['EUR'],
  measurementFamilies: [mf('Weight', 'KILOGRAM', { GRAM: '0.001', KILOGRAM: '1', POUND: '0.45359237' }), mf('Length', 'METER', { MILLIMETER: '0.001', CENTIMETER: '0.01', METER: '1', INCH: '0.0254' })],
  options: [
    ...COLORS.map((code) => ({ code, attribute: 'color' })),
    ...SIZES.map((code) => ({ code, attribute: 'size' })),
    ...MATERIALS.flatMap((code) => EXTRA.filter((e) => e.type.endsWith('select')).map((e) => ({ code, attribute: e.code }))),
  ],
  categories: ['master'],
});

/**
 * A copy of a field value with its own objects, as an adapter gives each record (the mapper cannot
 * rely on two items sharing one object: comparing model-level values must look inside).
 */
function ownCopy(v: FieldValue): FieldValue {
  if (Array.isArray(v)) return v.slice();
  if (v !== null && typeof v === 'object') return v.kind === 'localized' ? { kind: 'localized', values: { ...v.values } } : { ...v };
  return v;
}

/**
 * Yields one group at a time: the generator never holds more than a group in memory. Like an ERP
 * template, a group's model-level fields (texts, brand, measures, the 20 extra attributes) are drawn
 * once per group and every item carries its own equal copy; color, size, EAN and weight vary per item
 * (the variant level of the family variants below). One item in CONFLICT_EVERY carries a model-level
 * value that differs from its siblings', which the mapper must report.
 */
const CONFLICT_EVERY = 500;
/** Model-level field names, in record order (an array: walking a 26-key object per item would cost more than mapping it). */
const TEMPLATE_FIELDS = ['name', 'description', 'brand', 'length', 'width', 'height', ...EXTRA.map((e) => e.code)];
function* groups(total: number): Generator<ErpRecord[]> {
  let made = 0;
  let seq = 0;
  while (made < total) {
    seq++;
    const n = Math.min(total - made, int(1, 12));
    const code = `TPL-${seq}`;
    const colors = COLORS.slice(0, Math.max(1, Math.ceil(n / SIZES.length)));
    const brand = pick(BRANDS);
    // The template's values, in TEMPLATE_FIELDS order.
    const template: FieldValue[] = [
      { kind: 'localized', values: { en: `${brand} item ${seq}`, fr: `Article ${seq} ${brand}`, de: `${brand} Artikel ${seq}` } },
      { kind: 'localized', values: { en: `Made of ${pick(MATERIALS)}.`, fr: `En ${pick(MATERIALS)}.`, de: `Aus ${pick(MATERIALS)}.` } },
      brand,
      { kind: 'quantity', amount: `${int(10, 200)}.5`, unit: 'cm' },
      { kind: 'quantity', amount: `${int(10, 200)}`, unit: 'cm' },
      { kind: 'quantity', amount: `${int(1, 80)}`, unit: 'in' },
    ];
    for (const e of EXTRA) template.push(e.gen());
    const items: ErpRecord[] = [];
    for (let i = 0; i < n; i++) {
      // Built field by field, as the adapters do (30 keyed stores: V8 keeps such records as dictionaries).
      const fields: Record<string, FieldValue> = {};
      for (let f = 0; f < TEMPLATE_FIELDS.length; f++) fields[TEMPLATE_FIELDS[f]!] = ownCopy(template[f]!);
      fields.color = colors[i % colors.length]!;
      fields.size = SIZES[Math.floor(i / colors.length) % SIZES.length]!;
      fields.ean = String(4000000000000 + made + i);
      fields.weight = { kind: 'quantity', amount: `${int(1, 3000)}`, unit: pick(['g', 'kg', 'lb']) };
      if (i > 0 && (made + i) % CONFLICT_EVERY === 0) fields.attr_01 = { kind: 'decimal', value: '1000.5' };
      items.push({ stream: 'items', key: `${code}-${i + 1}`, updatedAt: '2026-01-01T00:00:00Z', group: code, categories: [`cat_${seq % 50}`], active: true, fields });
    }
    made += n;
    yield items;
  }
}

const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), pim);
const noGroups = new Map<string, ErpRecord>();
let peakRss = process.memoryUsage().rss;
let items = 0;
let entities = 0;
let values = 0;
let errors = 0;
let conflicts = 0;
let groupCount = 0;
let mapCpuMicros = 0;
let mapWallNanos = 0n;
const rssAt: { items: number; rssMb: number }[] = [];
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
// Generate a chunk of groups, then map it: the mapper's CPU time is measured per chunk (not per
// group, where the measuring syscall would cost as much as the work). Memory stays one chunk deep.
const CHUNK = 256;
const source = groups(ITEMS);
for (let done = false; !done; ) {
  const chunk: ErpRecord[][] = [];
  while (chunk.length < CHUNK) {
    const next = source.next();
    if (next.done) {
      done = true;
      break;
    }
    chunk.push(next.value);
  }
  const before = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  for (const group of chunk) {
    const r = mapper.mapItems(group, noGroups);
    items += group.length;
    groupCount++;
    entities += r.entities.length;
    errors += r.errors.length;
    for (const e of r.errors) if (e.kind === 'model_value_conflict') conflicts++;
    for (const e of r.entities) if (e.kind !== 'category') for (const k in e.values) values += e.values[k]!.length;
  }
  mapWallNanos += process.hrtime.bigint() - wallBefore;
  const spent = process.cpuUsage(before);
  mapCpuMicros += spent.user + spent.system;
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
  if (groupCount % (CHUNK * 32) < CHUNK) {
    // With --expose-gc, also record the live heap after a full collection: RSS alone lags behind GC.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
    rssAt.push({ items, rssMb: Math.round(rss / 1048576), ...(gc ? { liveHeapMb: Math.round(process.memoryUsage().heapUsed / 1048576) } : {}) });
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({
    items,
    // The mapping's throughput: items over the time spent in the mapper (generating the ERP
    // records, the benchmark's stand-in for the ERP, is excluded; its garbage is collected inside).
    itemsPerSecond: Math.round(items / (Number(mapWallNanos) / 1e9)),
    target: 50_000,
    peakRssMb: Math.round(peakRss / 1048576),
    // The whole process: generating and mapping.
    endToEndItemsPerSecond: Math.round(items / seconds),
    seconds: Number(seconds.toFixed(2)),
    // Items per second of CPU time this process got: on a loaded machine wall-clock speed measures the neighbours.
    itemsPerCpuSecond: Math.round(items / cpuSeconds),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    // The mapper alone (generating the ERP records is excluded).
    mappingItemsPerCpuSecond: Math.round(items / (mapCpuMicros / 1e6)),
    groups: groupCount,
    entities,
    values,
    errors,
    // Items whose own model-level value differs from their model's (one in CONFLICT_EVERY is generated so).
    conflicts,
    fieldsPerItem: 10 + EXTRA.length,
    rssMbByItems: rssAt,
    nodeFlags: NODE_FLAGS,
    note: 'one process on a 2-core machine shared with other jobs; numbers are pessimistic',
  })}\n`,
);
