/**
 * Gathers what the core's estimate (src/sync/estimate.ts) needs: the ERP's counts per stream
 * (counted by reading when the adapter cannot say cheaply), a sample of its items (groups, media,
 * select values), the configured limits of the PIM, and a measured round trip to it (a few GETs).
 */
import type { AkeneoClient } from '../akeneo/index.js';
import type { FerryConfig } from '../config/schema.js';
import type { ErpSource, FieldValue, StreamDescription, StreamName } from '../erp/port.js';
import type { MappingConfig } from '../mapping/config.js';
import { AxisSampler, distinguishes, inferAxes, resolveMapping, type GroupSample } from '../mapping/index.js';
import type { ResolvedMapping } from '../mapping/resolve.js';
import { estimateImport, type EstimateCatalog, type EstimateLimits, type ImportEstimate } from '../sync/estimate.js';
import { createPimClient } from './pim-client.js';

/** Items read to learn the catalog's shape: enough for shares, cheap on any ERP. */
export const SAMPLE_ITEMS = 500;
/** GETs timed to learn the PIM's round trip. */
const LATENCY_PROBES = 3;
/** Akeneo validates and indexes each batch line: ~2 ms a line (the bench's latency model, close to SaaS). */
const PER_LINE_MS = 2;
const PER_MEDIA_MS = 150;

export interface EstimateReport {
  erp: { system: string; counts: Partial<Record<StreamName, number>>; sampled: number };
  pim: { url: string; roundTripMs: number | null; connections: number };
  estimate: ImportEstimate;
  /** Why a number is less sure than it looks (a count read, not asked; no PIM reachable). */
  notes: string[];
}

async function countByReading(source: ErpSource, stream: StreamName): Promise<number> {
  let n = 0;
  for await (const _ of source.read(stream)) n++;
  return n;
}

function mediaValues(value: FieldValue | undefined): number {
  if (value === null || value === undefined || value === '') return 0;
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== '').length : 1;
}

function selectValues(value: FieldValue | undefined, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) selectValues(v, into);
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into.add(String(value));
}

/** Categories per depth (roots first), from the ERP's category stream (small: read whole). */
async function categoryLevels(source: ErpSource): Promise<number[]> {
  const parentOf = new Map<string, string | null>();
  for await (const c of source.read('categories')) parentOf.set(c.key, c.parent ?? null);
  const depthOf = new Map<string, number>();
  const depth = (key: string, seen: Set<string>): number => {
    const known = depthOf.get(key);
    if (known !== undefined) return known;
    const parent = parentOf.get(key);
    // A parent outside the stream (or a cycle, which the run rejects) puts the category at the root.
    const d = parent && parentOf.has(parent) && !seen.has(parent) ? depth(parent, seen.add(key)) + 1 : 0;
    depthOf.set(key, d);
    return d;
  };
  const levels: number[] = [];
  for (const key of parentOf.keys()) {
    const d = depth(key, new Set());
    levels[d] = (levels[d] ?? 0) + 1;
  }
  return Array.from(levels, (n) => n ?? 0);
}

/** What the sample's groups are laid out by: the item-only select fields (a group's own fields stay on its model) and the rest. */
interface SampleFields {
  axisFields: readonly string[];
  otherFields: readonly string[];
}

/**
 * The variant levels of a sampled group as ERP fields: [] for no variants, one list per level.
 * A family whose variants the mapping defines (a preset's, or `structure.families.definitions`)
 * takes the one `structure.variants.familyVariant` names, or on `auto` the first by fewest axes
 * whose axes tell the items apart, as the mapper picks (layout.ts); other families are laid out
 * as `ferry pim bootstrap` infers from the data (axes.ts: a second level when another field is
 * constant per value of the first axis).
 */
export function sampleLevels(g: GroupSample, mapping: ResolvedMapping, fields: SampleFields): string[][] {
  const family = g.family ?? mapping.structure.families.default;
  const def = family ? mapping.structure.families.definitions[family] : undefined;
  if (family && def?.variants && !def.variantsFromErp) {
    const fieldOf = new Map<string, string>();
    for (const [code, spec] of mapping.attributes) if (spec.from.length === 1 && !spec.expression) fieldOf.set(code, spec.from[0]!);
    const named = mapping.structure.variants.familyVariant[family];
    const candidates = named && named !== 'auto' ? [def.variants[named]].filter((v) => v !== undefined) : Object.values(def.variants);
    const axes = (v: (typeof candidates)[number]) => v.levels.map((l) => l.axes.map((a) => fieldOf.get(a) ?? a));
    for (const v of [...candidates].sort((x, y) => x.levels.flatMap((l) => l.axes).length - y.levels.flatMap((l) => l.axes).length)) {
      const levels = axes(v);
      if (distinguishes(g.items, levels.flat())) return levels;
    }
    return [];
  }
  const inferred = inferAxes(g.items, fields.axisFields, { otherFields: fields.otherFields });
  return inferred.ok ? inferred.levels : [];
}

/**
 * The sub-models of the sample's groups (two-level family variants: colour then size): a group
 * laid out in two levels (sampleLevels) has one sub-model per value of its first level's axes.
 * Groups of fewer than `minItems` items stay simple products. A group cut by the sample's end
 * counts the sub-models it shows.
 */
export function sampleSubModels(samples: readonly GroupSample[], levelsOf: (g: GroupSample) => string[][], minItems = 2): number {
  let subModels = 0;
  for (const g of samples) {
    if (g.items.length < minItems) continue;
    const levels = levelsOf(g);
    if (levels.length < 2) continue;
    const first = levels[0]!;
    subModels += new Set(g.items.map((i) => first.map((f) => i[f] ?? '').join('\u0001'))).size;
  }
  return subModels;
}

/**
 * Sub-models per ERP group for the whole catalog, scaled from the sample by items, not by groups:
 * the sample is the ERP's first items, whose groups need not look like the rest, and the rate per
 * item is the steadier of the two (demo ERP, 30,000 items: 0.206 sub-models an item in the first
 * 500 against 0.158 overall, where per group it was 1.39 against 0.88).
 */
export function subModelsPerGroup(sampleSubModelCount: number, sampled: number, items: number, groups: number): number {
  if (sampled === 0 || groups === 0) return 0;
  return ((sampleSubModelCount / sampled) * items) / groups;
}

/** The shape of the catalog from the ERP: counts per stream and a sample of items (grouped as the mapping groups them, when given). */
export async function describeCatalog(source: ErpSource, sampleSize = SAMPLE_ITEMS, mappingConfig?: MappingConfig): Promise<{ catalog: EstimateCatalog; counts: Partial<Record<StreamName, number>>; sampled: number; system: string; notes: string[] }> {
  const check = await source.check();
  const notes: string[] = [];
  const counts: Partial<Record<StreamName, number>> = {};
  for (const stream of source.streams) {
    const known = check.counts[stream];
    if (typeof known === 'number') counts[stream] = known;
    else {
      counts[stream] = await countByReading(source, stream);
      notes.push(`${stream}: the ERP gives no count cheaply; counted by reading every record.`);
    }
  }
  const descriptions: StreamDescription[] = await source.describe();
  const itemFields = descriptions.find((d) => d.stream === 'items')?.fields ?? [];
  const fileFields = itemFields.filter((f) => f.type === 'file').map((f) => f.name);
  const selectFields = itemFields.filter((f) => f.type === 'select' || f.type === 'multiselect');
  const valuesOf = new Map<string, Set<string>>(selectFields.map((f) => [f.name, new Set(f.options ?? [])]));

  const mapping = mappingConfig ? resolveMapping(mappingConfig) : null;
  const sampler = mapping ? new AxisSampler(mapping) : null;
  let sampled = 0;
  let grouped = 0;
  let media = 0;
  if (source.streams.includes('items')) {
    for await (const r of source.read('items', { limit: sampleSize })) {
      sampled++;
      sampler?.add(r);
      if (r.group) grouped++;
      for (const f of fileFields) media += mediaValues(r.fields[f]);
      for (const f of selectFields) if (!f.options?.length) selectValues(r.fields[f.name], valuesOf.get(f.name)!);
    }
  }
  // Declared options are all of them; values seen in a sample are a lower bound unless the sample was the whole stream.
  const items = counts.items ?? 0;
  const declared = selectFields.filter((f) => f.options?.length).reduce((n, f) => n + f.options!.length, 0);
  if (declared > 0) notes.push(`options: the ${declared.toLocaleString('en-US')} the ERP declares for its select fields are created by \`ferry pim bootstrap\` (100 per request), not by the import.`);
  const sampledOptions = selectFields.filter((f) => !f.options?.length).reduce((n, f) => n + valuesOf.get(f.name)!.size, 0);
  if (sampledOptions > 0 && sampled < items) notes.push(`options: ${sampledOptions} select values seen in ${sampled.toLocaleString('en-US')} of ${items.toLocaleString('en-US')} items; the whole catalog may hold more.`);
  const categoriesPerLevel = source.streams.includes('categories') ? await categoryLevels(source) : [];
  // Axes are the item-only select fields (a group's own fields stay on its model), as bootstrap infers them.
  const groupFields = new Set(descriptions.find((d) => d.stream === 'groups')?.fields.map((f) => f.name) ?? []);
  const itemOnly = itemFields.filter((f) => !groupFields.has(f.name));
  const axisFields = itemOnly.filter((f) => f.type === 'select' || f.type === 'boolean').map((f) => f.name);
  const otherFields = itemOnly.map((f) => f.name).filter((f) => !axisFields.includes(f));
  const minItems = mapping?.structure.variants.singleGroupAsSimpleProduct === false ? 1 : 2;
  return {
    system: check.system,
    counts,
    sampled,
    notes,
    catalog: {
      items,
      groups: counts.groups ?? 0,
      categoriesPerLevel,
      // The import writes only the options the ERP does not declare (the items bring them).
      optionsPerAttribute: selectFields.filter((f) => !f.options?.length).map((f) => valuesOf.get(f.name)!.size),
      selectAttributes: selectFields.length,
      groupedShare: sampled > 0 ? grouped / sampled : 0,
      subModelsPerGroup: sampler && mapping ? subModelsPerGroup(sampleSubModels(sampler.samples(), (g) => sampleLevels(g, mapping, { axisFields, otherFields }), minItems), sampled, items, counts.groups ?? 0) : 0,
      mediaPerItem: sampled > 0 ? media / sampled : 0,
    },
  };
}

export function limitsOf(pim: FerryConfig['pim']): EstimateLimits {
  const l = pim.limits;
  return {
    connections: 'connections' in pim ? pim.connections.length : 1,
    concurrency: l.concurrency,
    instanceConcurrency: l.instanceConcurrency ?? 10,
    instanceShare: l.instanceShare ?? 1,
    requestsPerSecond: l.requestsPerSecond,
    optionWritesPerSecond: l.optionWritesPerSecond,
  };
}

/** Median round trip of a few small GETs (after the token, which is not a round trip of a run's pace). */
export async function measureRoundTrip(client: AkeneoClient, probes = LATENCY_PROBES): Promise<number> {
  await client.detect();
  const times: number[] = [];
  for (let i = 0; i < probes; i++) {
    const started = performance.now();
    await client.count('/api/rest/v1/channels');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export interface EstimateOptions {
  /** The ERP source (else built from the config's `erp:`). */
  source?: ErpSource;
  /** A PIM client (else built from `pim:`); false: do not reach the PIM, assume `assumedRoundTripMs`. */
  client?: AkeneoClient | false;
  assumedRoundTripMs?: number;
  sampleSize?: number;
}

/** The estimate of a full first import with this config. */
export async function estimateFirstImport(config: FerryConfig, options: EstimateOptions = {}): Promise<EstimateReport> {
  const source = options.source ?? (await import('../erp/factory.js')).createErpSource(config.erp, { readOnly: true });
  let described: Awaited<ReturnType<typeof describeCatalog>>;
  try {
    described = await describeCatalog(source, options.sampleSize, config.mapping);
  } finally {
    if (!options.source) await source.close().catch(() => undefined);
  }
  const notes = [...described.notes];
  let roundTripMs: number | null = null;
  if (options.client !== false) {
    const client = options.client ?? createPimClient(config.pim);
    try {
      roundTripMs = await measureRoundTrip(client);
    } catch (err) {
      notes.push(`PIM not reached (${(err as Error).message}); assumed a ${options.assumedRoundTripMs ?? 200} ms round trip.`);
    } finally {
      if (!options.client) await client.close();
    }
  }
  const limits = limitsOf(config.pim);
  const estimate = estimateImport({
    catalog: described.catalog,
    limits,
    latency: { roundTripMs: roundTripMs ?? options.assumedRoundTripMs ?? 200, perLineMs: PER_LINE_MS, perMediaMs: PER_MEDIA_MS },
  });
  return {
    erp: { system: described.system, counts: described.counts, sampled: described.sampled },
    pim: { url: config.pim.url, roundTripMs: roundTripMs === null ? null : Math.round(roundTripMs), connections: limits.connections },
    estimate,
    notes,
  };
}

/**
 * The estimate only when the ERP holds more than `threshold` items (one count, asked of the ERP
 * first), for the one line at the start of a large `ferry sync --full`; null for a small catalog,
 * or when the ERP cannot count cheaply (a full read just to estimate would double the run's reading).
 */
export async function estimateIfLarge(config: FerryConfig, threshold: number): Promise<EstimateReport | null> {
  const source = (await import('../erp/factory.js')).createErpSource(config.erp, { readOnly: true });
  try {
    const items = (await source.check()).counts.items;
    if (typeof items !== 'number' || items <= threshold) return null;
    return await estimateFirstImport(config, { source });
  } finally {
    await source.close().catch(() => undefined);
  }
}
