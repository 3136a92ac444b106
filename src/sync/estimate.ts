/**
 * The estimate of a first (full) import, before it starts: from the ERP's counts and a sample of
 * its items, what the mapping will write, how many requests that takes, how long the PIM's limits
 * make it at best and likely, what bounds it, how much memory Ferry needs, and advice in plain
 * words. Pure: the numbers come in (src/app/estimate.ts gathers them), nothing is read here.
 *
 * The request model follows what the applier does (docs/operations.md, "First import of a large
 * catalog"): options one request each at the instance's option-write rate, categories / root models
 * / sub-models / products in collection PATCHes of at most 100 lines, media one upload each, and a
 * fixed part of reads (structure, token) before the writes.
 */

/** What the ERP holds and what a sample of its items looks like. */
export interface EstimateCatalog {
  items: number;
  /** ERP groups (templates): each becomes a root product model. */
  groups: number;
  /** Categories per depth of the tree (roots first): a level is written after its parents. */
  categoriesPerLevel: number[];
  /**
   * Options the import writes per select attribute (distinct ERP values the ERP does not declare:
   * `ferry pim bootstrap` creates the declared ones): each attribute's options go in their own batches.
   */
  optionsPerAttribute: number[];
  /** Select attributes whose options the run reads at its start (default: optionsPerAttribute's length). */
  selectAttributes?: number;
  /** Share of items in a group (0..1), from the sample: they get a parent model. */
  groupedShare: number;
  /** Sub-models per group on average (two-level family variants), 0 for one level. */
  subModelsPerGroup: number;
  /** Media files per item on average, from the sample. */
  mediaPerItem: number;
}

export interface EstimateLimits {
  connections: number;
  /** Concurrent calls per connection (Akeneo SaaS: 4). */
  concurrency: number;
  /** Concurrent calls per instance (Akeneo SaaS: 10). */
  instanceConcurrency: number;
  /** Fraction of the instance budget Ferry may use. */
  instanceShare: number;
  requestsPerSecond: number;
  optionWritesPerSecond: number;
}

export interface EstimateLatency {
  /** Measured round trip of a small GET to the PIM, in ms. */
  roundTripMs: number;
  /** What each line of a batch adds to its answer time, in ms (Akeneo validates and indexes every line). */
  perLineMs: number;
  /** Upload time of one media file on top of the round trip, in ms. */
  perMediaMs: number;
}

export interface EstimateInput {
  catalog: EstimateCatalog;
  limits: EstimateLimits;
  latency: EstimateLatency;
}

export type Bottleneck = 'option-writes' | 'connection-concurrency' | 'instance-concurrency' | 'requests-per-second' | 'media-uploads';

export interface RequestEstimate {
  /** Structure reads and tokens before the writes. */
  setup: number;
  options: number;
  categories: number;
  productModels: number;
  products: number;
  media: number;
  total: number;
}

export interface ImportEstimate {
  entities: { products: number; productModels: number; categories: number; options: number; media: number };
  requests: RequestEstimate;
  /** Concurrent calls Ferry will have in flight: min(connections × concurrency, instance share). */
  slots: number;
  durationSeconds: { best: number; likely: number };
  /** Seconds each phase takes at best (the sum is `durationSeconds.best`). */
  phases: { options: number; batches: number; media: number };
  bottleneck: Bottleneck;
  memoryMb: number;
  advice: string[];
}

/** Lines per collection PATCH (Akeneo's maximum). */
export const BATCH_LINES = 100;
/** Reads a run makes before writing, whatever the catalog (version, structure, locales, …): counted on the sandbox; plus one token per connection and one options read per select attribute. */
export const SETUP_REQUESTS = 12;
/**
 * Partial batches a product or model lane sends beyond its full ones: the last one, since the
 * scheduler keeps a lane's partial batch while its lines still wait for parents in flight
 * (src/sync/scheduler.ts), plus one for a phase change mid-run. Measured on the demo catalog's
 * first import: 1,453 products in 15 batches (4 slots); it was slots + 1 before that rule.
 */
const PARTIAL_BATCHES = (_slots: number): number => 2;
/**
 * Best and likely share of the ceiling a run reaches: bench:sync measures 0.965 on a quiet machine,
 * bench:scale 0.56–0.61 with one connection on a loaded one (docs/operations.md, "Sizing").
 */
export const BEST_EFFICIENCY = 0.95;
export const LIKELY_EFFICIENCY = 0.6;
/** Slots a run keeps busy in practice beyond one connection (bench:scale: 3 connections gave 2.1× where 2.5× was allowed). */
const MULTI_CONNECTION_EFFICIENCY = 0.85;

/** Ferry's peak RSS measured by bench:scale per catalog size (items → MB), interpolated and carried on linearly. */
const MEASURED_RSS: readonly (readonly [number, number])[] = [
  [0, 150],
  [10_000, 195],
  [100_000, 300],
  [200_000, 380],
];

export function estimateMemoryMb(items: number): number {
  for (let i = 1; i < MEASURED_RSS.length; i++) {
    const [x1, y1] = MEASURED_RSS[i]!;
    const [x0, y0] = MEASURED_RSS[i - 1]!;
    if (items <= x1) return Math.round(y0 + ((y1 - y0) * (items - x0)) / (x1 - x0));
  }
  const [x0, y0] = MEASURED_RSS[MEASURED_RSS.length - 2]!;
  const [x1, y1] = MEASURED_RSS[MEASURED_RSS.length - 1]!;
  return Math.round(y1 + ((y1 - y0) * (items - x1)) / (x1 - x0));
}

const batches = (lines: number): number => Math.ceil(Math.max(0, lines) / BATCH_LINES);
/** A lane of lines that wait for parents: its full batches and a few partial ones, never more batches than lines. */
const laneBatches = (lines: number, slots: number): number => Math.min(Math.max(0, lines), batches(lines) + PARTIAL_BATCHES(slots));
const sum = (list: readonly number[]): number => list.reduce((a, b) => a + b, 0);

/** Concurrent calls the limits let Ferry hold. */
export function slotsFor(limits: EstimateLimits): number {
  const perConnections = limits.connections * limits.concurrency;
  const instance = Math.max(1, Math.floor(limits.instanceConcurrency * limits.instanceShare));
  return Math.max(1, Math.min(perConnections, instance));
}

export function estimateImport(input: EstimateInput): ImportEstimate {
  const { catalog, limits, latency } = input;
  const share = limits.instanceShare;
  const products = catalog.items;
  const rootModels = catalog.groups;
  const subModels = Math.round(catalog.groups * catalog.subModelsPerGroup);
  const productModels = rootModels + subModels;
  const media = Math.round(catalog.items * catalog.mediaPerItem);
  const slots = slotsFor(limits);
  const categories = sum(catalog.categoriesPerLevel);
  const options = sum(catalog.optionsPerAttribute);

  const requests: RequestEstimate = {
    setup: SETUP_REQUESTS + limits.connections + (catalog.selectAttributes ?? catalog.optionsPerAttribute.length),
    // Options are written per attribute in batches of ≤100; each batch is one option write of the PIM's few per second.
    options: sum(catalog.optionsPerAttribute.map((n) => batches(n))),
    // A level's categories wait for their parents, then go together: the scheduler keeps a partial
    // batch until the parents its tasks wait for settle (measured: 24 demo categories on 3 levels, 3 PATCHes).
    categories: sum(catalog.categoriesPerLevel.map((n) => batches(n))),
    // Root models and sub-models go in separate phases (a sub-model needs its parent first).
    productModels: laneBatches(rootModels, slots) + laneBatches(subModels, slots),
    products: laneBatches(products, slots),
    media,
    total: 0,
  };
  requests.total = requests.setup + requests.options + requests.categories + requests.productModels + requests.products + requests.media;

  const requestRate = limits.requestsPerSecond * share;
  const optionRate = limits.optionWritesPerSecond * share;

  // Options go first, one request each, throttled by the instance's option-write rate.
  const optionSeconds = requests.options / optionRate;

  // Batches: each slot carries one batch per (round trip + lines × per-line time); the request rate caps the lot.
  const batchCount = requests.categories + requests.productModels + requests.products;
  const lines = categories + productModels + products;
  const batchBusySeconds = (batchCount * latency.roundTripMs + lines * latency.perLineMs) / 1000;
  const batchBySlots = batchBusySeconds / slots;
  const batchByRate = batchCount / requestRate;
  const batchSeconds = Math.max(batchBySlots, batchByRate);

  const mediaBusySeconds = (media * (latency.roundTripMs + latency.perMediaMs)) / 1000;
  const mediaBySlots = mediaBusySeconds / slots;
  const mediaByRate = media / requestRate;
  const mediaSeconds = Math.max(mediaBySlots, mediaByRate);

  const setupSeconds = (requests.setup * latency.roundTripMs) / 1000;
  const ceilingSeconds = setupSeconds + optionSeconds + batchSeconds + mediaSeconds;
  // Options are paced by the PIM's rate, not by how busy this machine is: only the rest loses efficiency.
  const paced = optionSeconds;
  const worked = ceilingSeconds - paced;
  const multi = limits.connections > 1 ? MULTI_CONNECTION_EFFICIENCY : 1;
  const best = paced + worked / BEST_EFFICIENCY;
  const likely = paced + worked / (LIKELY_EFFICIENCY * multi);

  const bottleneck = nameBottleneck({ optionSeconds, batchSeconds, batchByRate, batchBySlots, mediaSeconds, mediaByRate, mediaBySlots }, limits, slots);
  const estimate: ImportEstimate = {
    entities: { products, productModels, categories, options, media },
    requests,
    slots,
    durationSeconds: { best: Math.round(best), likely: Math.round(likely) },
    phases: { options: Math.round(optionSeconds), batches: Math.round(batchSeconds), media: Math.round(mediaSeconds) },
    bottleneck,
    memoryMb: estimateMemoryMb(catalog.items),
    advice: [],
  };
  estimate.advice = adviseOn(estimate, input, { optionSeconds, batchSeconds, mediaSeconds });
  return estimate;
}

interface PhaseTimes {
  optionSeconds: number;
  batchSeconds: number;
  batchByRate: number;
  batchBySlots: number;
  mediaSeconds: number;
  mediaByRate: number;
  mediaBySlots: number;
}

function nameBottleneck(t: PhaseTimes, limits: EstimateLimits, slots: number): Bottleneck {
  const longest = Math.max(t.optionSeconds, t.batchSeconds, t.mediaSeconds);
  if (longest === t.optionSeconds && t.optionSeconds > 0) return 'option-writes';
  const byRate = longest === t.mediaSeconds ? t.mediaByRate >= t.mediaBySlots : t.batchByRate >= t.batchBySlots;
  if (byRate) return 'requests-per-second';
  if (longest === t.mediaSeconds && t.mediaSeconds > t.batchSeconds) return 'media-uploads';
  return slots < limits.connections * limits.concurrency ? 'instance-concurrency' : 'connection-concurrency';
}

/** "2 h 05 min", "13 min", "45 s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');

export const BOTTLENECK_WORDS: Record<Bottleneck, string> = {
  'option-writes': 'attribute-option writes (the PIM accepts a few per second)',
  'connection-concurrency': 'concurrent calls per connection',
  'instance-concurrency': 'concurrent calls of the PIM instance (its share for Ferry)',
  'requests-per-second': 'requests per second of the PIM instance',
  'media-uploads': 'media uploads (one request per file)',
};

function adviseOn(e: ImportEstimate, input: EstimateInput, t: { optionSeconds: number; batchSeconds: number; mediaSeconds: number }): string[] {
  const advice: string[] = [];
  const { limits } = input;
  if (e.entities.options > 0 && t.optionSeconds >= 60) {
    advice.push(
      `Options first: ${fmtInt(e.entities.options)} options (${fmtInt(e.requests.options)} writes) take ~${formatSeconds(t.optionSeconds)} at ${limits.optionWritesPerSecond * limits.instanceShare} writes/s; ` +
        'run `ferry pim bootstrap` ahead of the first import so they are in place before the products.',
    );
  }
  if (e.durationSeconds.likely >= 30 * 60) {
    advice.push(`Run the first import at night or off hours: it likely takes ${formatSeconds(e.durationSeconds.likely)} and uses the PIM's API budget other integrations share.`);
  }
  // More connections help only while the instance has slots left beyond them.
  const moreConnections = { ...limits, connections: limits.connections + 1 };
  const gain = slotsFor(moreConnections) / e.slots;
  const slotBound = e.bottleneck === 'connection-concurrency' || (e.bottleneck === 'media-uploads' && gain > 1);
  if (slotBound && gain > 1.05 && limits.connections < 10) {
    const faster = estimateImport({ ...input, limits: moreConnections }).durationSeconds.best;
    const speedup = e.durationSeconds.best / Math.max(1, faster);
    if (speedup > 1.1) {
      advice.push(
        `Add ${limits.connections === 1 ? 'a second' : 'another'} Akeneo connection (pim.connections): ~${speedup.toFixed(1)}× faster at best (${formatSeconds(faster)}).`,
      );
    }
  }
  if (e.bottleneck === 'instance-concurrency' && limits.instanceShare < 1) {
    advice.push(`Ferry uses ${Math.round(limits.instanceShare * 100)}% of the instance (pim.limits.instanceShare); a larger share for the first import is faster if other integrations are quiet.`);
  }
  if (e.memoryMb > 512) advice.push(`Give Ferry ~${fmtInt(Math.ceil(e.memoryMb / 100) * 100)} MB of memory (peak RSS measured by bench:scale, extrapolated).`);
  if (input.latency.roundTripMs > 500) {
    advice.push(`The PIM answers slowly from here (${Math.round(input.latency.roundTripMs)} ms a round trip): run Ferry closer to the PIM if you can.`);
  }
  return advice;
}

/** One line for the start of a large `ferry sync` in a terminal. */
export function estimateLine(e: ImportEstimate): string {
  return (
    `estimate: ~${fmtInt(e.requests.total)} requests, ${formatSeconds(e.durationSeconds.best)}–${formatSeconds(e.durationSeconds.likely)}` +
    ` (bound by ${BOTTLENECK_WORDS[e.bottleneck]}), ~${fmtInt(e.memoryMb)} MB`
  );
}
