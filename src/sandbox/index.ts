/**
 * Ferry's PIM sandbox: a local server speaking Akeneo's REST API (see README / issue 3).
 * `startSandbox(options)` loads a catalog, optionally restores a SQLite state, listens, and
 * returns the base URL, credentials, and close/reset/stats controls.
 */
import type { AddressInfo } from 'node:net';
import type { Product, ProductModel } from '../akeneo/model.js';
import { buildApp } from './app.js';
import { AuthService } from './auth.js';
import { loadCatalog, type LoadedCatalog } from './catalog.js';
import { akeneoNow, newUuid, type SandboxContext } from './context.js';
import { adaptStructure, EditionError, editionProfile, type EditionProfile } from './edition.js';
import { parseFaults, parseLatency, resolveConnections, resolveOptions, SandboxOptionError, type SandboxConnection, type SandboxOptions } from './options.js';
import { SqlitePersistence } from './persistence.js';
import { EventSender, type EventsStats } from './events.js';
import { rules } from './rules-binding.js';
import type { SandboxStats } from './stats.js';
import { SandboxStore } from './store.js';

export type { SandboxConnection, SandboxOptions } from './options.js';
export type { SandboxStats } from './stats.js';
export type { EditionProfile } from './edition.js';

export interface CatalogLoadReport {
  catalog: string;
  productModels: { loaded: number; failed: number };
  products: { loaded: number; failed: number };
  /** The first few rejected lines with the reason, so a broken catalog is easy to fix. */
  errors: { file: string; line: number; key: string; status: number; message: string }[];
  /** True when the state came from the data file rather than the catalog. */
  restored: boolean;
  /** Broken cross-file references in the catalog's structure files (see catalog.ts checkReferences). */
  structureWarnings: string[];
}

export interface RunningSandbox {
  url: string;
  /** The edition and version it answers as. */
  edition: EditionProfile;
  clientId: string;
  secret: string;
  username: string;
  password: string;
  /** Every Connection of the instance (the one above first). */
  connections: SandboxConnection[];
  catalogReport: CatalogLoadReport;
  close(): Promise<void>;
  reset(): Promise<void>;
  stats(): SandboxStats;
  /** With eventsUrl: the deliveries so far, and a wait until every pending event is delivered. */
  events: { stats(): EventsStats; drain(): Promise<void> } | null;
}

const MEDIA_TYPES = new Set(['pim_catalog_file', 'pim_catalog_image']);

/** Catalog product lines go through the same rules as API writes; media values are dropped (files are not shipped). */
function seedContent(ctx: SandboxContext, catalog: LoadedCatalog, report: CatalogLoadReport): void {
  const { store } = ctx;
  const stripMedia = (item: Record<string, unknown>): Record<string, unknown> => {
    const values = item['values'] as Record<string, unknown> | undefined;
    if (!values) return item;
    const kept: Record<string, unknown> = {};
    for (const [attr, v] of Object.entries(values)) {
      const a = store.attribute(attr);
      if (a && MEDIA_TYPES.has(a.type)) continue;
      kept[attr] = v;
    }
    return { ...item, values: kept };
  };
  const note = (file: string, line: number, key: string, status: number, body: unknown): void => {
    if (report.errors.length >= 20) return;
    const b = body as { message?: string; errors?: { message?: string }[] };
    const detail = b.errors?.map((e) => e.message).join('; ');
    report.errors.push({ file, line, key, status, message: detail ? `${b.message ?? ''} ${detail}` : (b.message ?? '') });
  };
  catalog.productModelLines.forEach((text, i) => {
    let item: Record<string, unknown>;
    try {
      item = stripMedia(JSON.parse(text) as Record<string, unknown>);
    } catch {
      report.productModels.failed++;
      note('product_models.ndjson', i + 1, '?', 400, { message: 'Invalid JSON line' });
      return;
    }
    const code = String(item['code'] ?? '');
    const existing: ProductModel | null = store.productModel(code) ?? null;
    const r = ctx.rules.applyProductModelWrite(store, existing, item, { method: 'PATCH', urlKey: code, now: ctx.now() });
    if (r.ok) {
      store.putProductModel(r.value);
      report.productModels.loaded++;
    } else {
      report.productModels.failed++;
      note('product_models.ndjson', i + 1, code, r.status, r.body);
    }
  });
  catalog.productLines.forEach((text, i) => {
    let item: Record<string, unknown>;
    try {
      item = stripMedia(JSON.parse(text) as Record<string, unknown>);
    } catch {
      report.products.failed++;
      note('products.ndjson', i + 1, '?', 400, { message: 'Invalid JSON line' });
      return;
    }
    const byUuid = typeof item['uuid'] === 'string';
    const key = String(byUuid ? item['uuid'] : item['identifier']);
    if (!ctx.edition.uuidProducts && !hasIdentifier(item, store.identifierAttribute())) {
      // Before 7.0 every product has an identifier: a catalog product without one cannot exist there.
      report.products.failed++;
      note('products.ndjson', i + 1, key, 422, { message: `${ctx.edition.label} has no products without identifier (they came with the uuid products of 7.0).` });
      return;
    }
    const existing: Product | null = (byUuid ? store.productByUuid(key) : store.productByIdentifier(key)) ?? null;
    const r = ctx.rules.applyProductWrite(store, existing, item, {
      endpoint: byUuid ? 'uuid' : 'identifier',
      method: 'PATCH',
      urlKey: key,
      newUuid: ctx.newUuid(),
      now: ctx.now(),
    });
    if (r.ok) {
      store.putProduct(r.value);
      report.products.loaded++;
    } else {
      report.products.failed++;
      note('products.ndjson', i + 1, key, r.status, r.body);
    }
  });
}

function hasIdentifier(item: Record<string, unknown>, identifierAttribute: string): boolean {
  if (typeof item['identifier'] === 'string' && item['identifier'] !== '') return true;
  const values = (item['values'] as Record<string, { data?: unknown }[]> | undefined)?.[identifierAttribute];
  return typeof values?.[0]?.data === 'string' && values[0].data !== '';
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const opts = resolveOptions(options);
  parseLatency(opts.latency);
  parseFaults(opts.faults);
  let edition: EditionProfile;
  try {
    edition = editionProfile(opts.edition, opts.version);
  } catch (err) {
    if (err instanceof EditionError) throw new SandboxOptionError(err.message);
    throw err;
  }
  const catalog = loadCatalog(opts.catalog);
  const store = new SandboxStore();
  const [first, ...moreConnections] = resolveConnections(opts);
  Object.assign(opts, first);
  const auth = new AuthService({
    clientId: opts.clientId,
    secret: opts.secret,
    username: opts.username,
    password: opts.password,
    ...(first!.denied ? { denied: first!.denied } : {}),
    moreConnections,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds,
    refreshTokenLifetimeSeconds: opts.refreshTokenLifetimeSeconds,
    users: opts.users,
  });
  const ctx: SandboxContext = { store, rules, options: opts, auth, edition, now: akeneoNow, newUuid };
  const report: CatalogLoadReport = {
    catalog: catalog.name,
    productModels: { loaded: 0, failed: 0 },
    products: { loaded: 0, failed: 0 },
    errors: [],
    restored: false,
    structureWarnings: catalog.warnings,
  };

  const loadFresh = (): void => {
    store.loadStructure(adaptStructure(structuredClone(catalog.structure), edition));
    store.clearContent();
  };

  let persistence: SqlitePersistence | undefined;
  if (opts.dataFile) {
    persistence = new SqlitePersistence(opts.dataFile, store);
    if (persistence.hasState()) {
      persistence.restore();
      report.restored = true;
      persistence.attach();
    } else {
      loadFresh();
      persistence.replaceAll(store.snapshotStructure());
      persistence.attach();
      seedContent(ctx, catalog, report);
    }
  } else {
    loadFresh();
    seedContent(ctx, catalog, report);
  }

  const reset = async (): Promise<void> => {
    loadFresh();
    persistence?.replaceAll(store.snapshotStructure());
  };

  // Attached after the seed: catalog lines are no one's writes.
  const events =
    opts.eventsUrl !== undefined && opts.eventsSecret !== undefined
      ? new EventSender(store, { url: opts.eventsUrl, secret: opts.eventsSecret, secondarySecret: opts.eventsSecondarySecret, format: opts.eventsFormat, duplicate: opts.eventsDuplicate, reorder: opts.eventsReorder, batchMs: opts.eventsBatchMs, people: opts.users.map((u) => u.username) })
      : null;
  events?.attach();

  const handle = buildApp(ctx, {
    reset,
    counts: () => ({ products: store.products.size, productModels: store.productModels.size, mediaFiles: store.media.size }),
  });
  try {
    await handle.app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    persistence?.close();
    throw err;
  }
  const address = handle.app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed = false;
  events?.setSource(`http://${host}:${address.port}`);
  return {
    url: `http://${host}:${address.port}`,
    edition,
    clientId: opts.clientId,
    secret: opts.secret,
    username: opts.username,
    password: opts.password,
    connections: auth.connections(),
    catalogReport: report,
    reset,
    stats: () => handle.stats.snapshot({ products: store.products.size, productModels: store.productModels.size, mediaFiles: store.media.size }),
    events: events ? { stats: () => ({ ...events.stats }), drain: () => events.drain() } : null,
    close: async () => {
      if (closed) return;
      closed = true;
      await events?.drain();
      handle.shutdown();
      await handle.app.close();
      persistence?.close();
    },
  };
}
