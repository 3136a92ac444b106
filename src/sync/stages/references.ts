/**
 * Reference entity records and assets (EE / SaaS), written before the products that link them:
 * for each chunk of items the planner is about to map, the records and assets they name are
 * collected (src/mapping/reference-data.ts), diffed against the state by hash (an unchanged
 * record or asset costs nothing), and upserted in JSON-array batches of ≤100, each line settled.
 * An asset's file is read, hashed and uploaded through the asset media file endpoint once per
 * content (the code is kept in the state's media table under an `asset-media:` key, apart from
 * product media codes). After a full read, the deletion policy applies to what no item names any
 * more: `delete` deletes such assets; records stay (Akeneo's API has no record deletion), and the
 * report says so. Records and assets are not ERP records: they have their own counts in the report.
 */
import type { ErpRecord } from '../../erp/port.js';
import { contentHash } from '../../mapping/media.js';
import type { AssetWanted, RecordPayload, ReferenceDataCollector } from '../../mapping/reference-data.js';
import { chunks } from '../../util/chunks.js';
import { fingerprint } from '../hash.js';
import { mediaSourceForDisplay, mediaSourceKey } from '../media-source.js';
import type { DeletionPolicy } from '../engine.js';
import type { EeItem, SyncBatchResult, SyncPimClient } from '../pim.js';
import type { EntityState, EntityType, StateStore } from '../state/port.js';
import type { RunContext } from './context.js';
import { errorText } from './errors.js';

type Counts = { created: number; updated: number; unchanged: number; failed: number; deleted: number; kept: number };
export interface ReferenceDataReport {
  records: Counts;
  assets: Counts;
  /** Asset media files uploaded (one per distinct content). */
  uploads: number;
  /** What failed, and what the deletion policy deleted or kept: one line each (the first 50). */
  messages: string[];
}

const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0, failed: 0, deleted: 0, kept: 0 });
export function emptyReferenceDataReport(): ReferenceDataReport {
  return { records: zero(), assets: zero(), uploads: 0, messages: [] };
}

/** What a run did to one reference entity record or asset its items named. */
export type ReferenceOutcome = 'created' | 'updated' | 'failed' | 'unchanged';
/** When parts of a run name the same record or asset, the run's outcome is the strongest: it was written if any part wrote it. */
const OUTCOME_RANK: Record<ReferenceOutcome, number> = { created: 3, updated: 2, failed: 1, unchanged: 0 };
const stronger = (a: ReferenceOutcome | undefined, b: ReferenceOutcome): ReferenceOutcome => (a && OUTCOME_RANK[a] >= OUTCOME_RANK[b] ? a : b);

/**
 * The outcomes of several parts of a run (a queued run's shards), keyed
 * `reference_entity_record:<entity>:<code>` / `asset:<family>:<code>` (lower case): one each, the
 * strongest (OUTCOME_RANK), so a record two shards name counts once, as in one process.
 */
export function foldReferenceOutcomes(parts: readonly Readonly<Record<string, ReferenceOutcome>>[]): Record<string, ReferenceOutcome> {
  const out: Record<string, ReferenceOutcome> = {};
  for (const part of parts) for (const [key, outcome] of Object.entries(part)) out[key] = stronger(out[key], outcome);
  return out;
}

/** The records' and assets' counts by outcome of folded outcomes (foldReferenceOutcomes). */
export function countReferenceOutcomes(outcomes: Readonly<Record<string, ReferenceOutcome>>): { records: Counts; assets: Counts } {
  const counts = { records: zero(), assets: zero() };
  for (const [key, outcome] of Object.entries(outcomes)) counts[key.startsWith(`${ASSET}:`) ? 'assets' : 'records'][outcome]++;
  return counts;
}

const RECORD: EntityType = 'reference_entity_record';
const ASSET: EntityType = 'asset';
const HASH = '@payload';
/** Files read and uploaded at once (the client's governor still bounds the requests). */
const FILES_IN_FLIGHT = 4;

interface ReadFile {
  hash: string;
  file: { content: Buffer; filename: string } | null;
}

interface Pending {
  type: EntityType;
  container: string;
  key: string;
  payload: EeItem;
  stored: EntityState | undefined;
  hashes: Record<string, string>;
  origin: string;
}

export class ReferenceDataStage {
  private ready = false;
  /** Media codes of this run by kind and content hash: one upload per content. */
  private readonly uploads = new Map<string, Promise<string>>();
  /** What this run did to each record and asset (the strongest outcome when one is met twice): a queued run's settle folds its shards'. */
  private readonly outcomes = new Map<string, ReferenceOutcome>();

  constructor(
    private readonly ctx: RunContext,
    private readonly collector: ReferenceDataCollector,
  ) {}

  private get report(): ReferenceDataReport {
    return (this.ctx.referenceData ??= emptyReferenceDataReport());
  }

  private note(message: string): void {
    if (this.report.messages.length < 50) this.report.messages.push(message);
  }

  /** Counts `outcome` for the record or asset `key` (`<entity or family>:<code>`) and keeps it. */
  private count(type: EntityType, key: string, outcome: ReferenceOutcome): void {
    (type === RECORD ? this.report.records : this.report.assets)[outcome]++;
    const id = `${type}:${key.toLowerCase()}`;
    this.outcomes.set(id, stronger(this.outcomes.get(id), outcome));
  }

  /** What this run did to each record and asset it wrote or found unchanged (see `count`). */
  outcomesByCode(): Record<string, ReferenceOutcome> {
    return Object.fromEntries(this.outcomes);
  }

  /** Refuses the run on a PIM without reference entities / assets (CE), with the fix, before anything is written. */
  private async check(): Promise<void> {
    if (this.ready) return;
    const { client } = this.ctx.deps;
    const info = await client.detect();
    const ce = /^(ce|community)/i.test(info.edition);
    if (ce || !client.referenceEntityRecords || !client.assets || !client.assetMediaFiles) {
      throw new Error(
        'mapping.referenceEntities / mapping.assetFamilies need Akeneo Enterprise Edition or SaaS; this PIM is ' +
          `${ce ? 'the Community Edition' : `edition ${info.edition}, whose client lacks the reference entity / asset endpoints`}${info.version ? ` ${info.version}` : ''}. ` +
          'Remove those sections from the mapping (map brands as a simple select, images as an image attribute), or point Ferry at an EE / SaaS PIM.',
      );
    }
    this.ready = true;
  }

  /** Writes the records and assets these items name and the PIM lacks in that form; resolves once every line is settled. */
  async write(items: readonly ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): Promise<void> {
    if (this.collector.isEmpty) return;
    const got = this.collector.collect(items, groups);
    if (got.records.length === 0 && got.assets.length === 0 && got.problems.length === 0) return;
    await this.check();
    // The mapper warns about the same value on the product (its link is dropped): the report lists it here once more, briefly.
    for (const p of got.problems) this.note(`item ${p.origin}, field ${p.field}: ${p.message}. ${p.fix}`);
    await this.writeRecords(got.records);
    await this.writeAssets(got.assets);
  }

  private async writeRecords(records: RecordPayload[]): Promise<void> {
    const stored = await this.ctx.deps.state.getEntities(RECORD, records.map((r) => `${r.entity}:${r.code}`));
    const pending = await inParallel(records, FILES_IN_FLIGHT, (r) => this.prepareRecord(r, stored.get(`${r.entity}:${r.code}`)));
    await this.send(pending, (entity) => this.ctx.deps.client.referenceEntityRecords!(entity));
  }

  /** A record's write, or null when it is unchanged (or its image failed, noted). Its image is read and uploaded when new or changed. */
  private async prepareRecord(r: RecordPayload, before: EntityState | undefined): Promise<Pending | null> {
    const key = `${r.entity}:${r.code}`;
    const hashes: Record<string, string> = { [HASH]: fingerprint(r.values) };
    const values = { ...r.values };
    if (r.image && this.ctx.dryRun) {
      // Nothing is read in a dry run: the image counts as unchanged.
      if (before?.hashes['@image']) hashes['@image'] = before.hashes['@image'];
    } else if (r.image) {
      try {
        const image = await this.read(r.image);
        hashes['@image'] = image.hash;
        if (before?.status !== 'synced' || before.hashes['@image'] !== image.hash || before.hashes[HASH] !== hashes[HASH]) {
          values['image'] = [{ locale: null, channel: null, data: await this.mediaCode('record', r.image, image) }];
        }
      } catch (err) {
        this.count(RECORD, key, 'failed');
        this.note(`record ${r.code} of ${r.entity} (image ${mediaSourceForDisplay(r.image)}, item ${r.origin}): ${errorText(err)}. Fix the file or its path in the ERP.`);
        return null;
      }
    }
    if (before?.status === 'synced' && before.hashes[HASH] === hashes[HASH] && before.hashes['@image'] === hashes['@image']) {
      this.count(RECORD, key, 'unchanged');
      return null;
    }
    return { type: RECORD, container: r.entity, key, payload: { code: r.code, values }, stored: before, hashes, origin: r.origin };
  }

  private async writeAssets(assets: AssetWanted[]): Promise<void> {
    const stored = await this.ctx.deps.state.getEntities(ASSET, assets.map((a) => `${a.family}:${a.code}`));
    const pending = await inParallel(assets, FILES_IN_FLIGHT, (a) => this.prepareAsset(a, stored.get(`${a.family}:${a.code}`)));
    await this.send(pending, (family) => this.ctx.deps.client.assets!(family));
  }

  /** An asset's write, or null when its file is unchanged (or could not be read or uploaded, noted). */
  private async prepareAsset(a: AssetWanted, before: EntityState | undefined): Promise<Pending | null> {
    const key = `${a.family}:${a.code}`;
    if (this.ctx.dryRun) {
      // Nothing is read in a dry run: a new path is a create, a known one unchanged.
      if (before?.status === 'synced' && before.hashes['@source'] === fingerprint(a.source)) this.count(ASSET, key, 'unchanged');
      else this.count(ASSET, key, before ? 'updated' : 'created');
      return null;
    }
    let hashes: Record<string, string>;
    let code: string;
    try {
      const file = await this.read(a.source);
      hashes = { '@media': file.hash, '@source': fingerprint(a.source) };
      if (before?.status === 'synced' && before.hashes['@media'] === file.hash && before.hashes['@source'] === hashes['@source']) {
        this.count(ASSET, key, 'unchanged');
        return null;
      }
      code = await this.mediaCode('asset', a.source, file);
    } catch (err) {
      this.count(ASSET, key, 'failed');
      this.note(`asset ${a.code} of ${a.family} (file ${mediaSourceForDisplay(a.source)}, item ${a.origin}): ${errorText(err)}. Fix the file or its path in the ERP; the products linking it are refused by the PIM until then.`);
      return null;
    }
    return {
      type: ASSET,
      container: a.family,
      key,
      payload: { code: a.code, values: { [a.mediaAttribute]: [{ locale: null, channel: null, data: code }] } },
      stored: before,
      hashes,
      origin: a.origin,
    };
  }

  /** Reads a file: its content hash, and its content unless a URL answered "not modified". Nothing is kept after the caller's decision. */
  private async read(source: string): Promise<ReadFile> {
    const read = this.ctx.deps.readMedia;
    if (!read) throw new Error('no media reader is configured (sync.mediaRoot)');
    const got = await read(source);
    if ('notModified' in got) return { hash: got.contentHash, file: null };
    return { hash: contentHash(got.content), file: got };
  }

  /**
   * The media code of a content for assets or records (their endpoints keep separate files): the one
   * uploaded before (the state's media table, under `asset-media:` / `record-media:` keys apart from
   * product media), else uploaded now, once per content in the run.
   */
  private mediaCode(kind: 'asset' | 'record', source: string, read: ReadFile): Promise<string> {
    const key = `${kind}-media:${read.hash}`;
    const file = read.file;
    let pending = this.uploads.get(key);
    if (!pending) {
      pending = (async () => {
        const known = await this.ctx.deps.state.getMedia(key);
        if (known) return known.code;
        // Only a URL Ferry downloaded before for a product image answers 304: its content is not at hand.
        if (!file) throw new Error('the URL answered 304 Not Modified (Ferry downloaded it before for a product image), so its content is not at hand for this upload; map that URL to the asset family only, not also to an image attribute');
        const { client } = this.ctx.deps;
        const uploader = kind === 'asset' ? client.assetMediaFiles : client.referenceEntityMediaFiles;
        if (!uploader) throw new Error(`the client has no ${kind === 'asset' ? 'asset' : 'reference entity'} media file endpoint`);
        const code = await uploader.upload({ content: file.content, filename: file.filename });
        this.report.uploads++;
        // A signed URL's secret never reaches the state: its source is kept as a hash key.
        await this.ctx.deps.state.saveMedia({ contentHash: key, code, source: `${kind}-media:${mediaSourceKey(source)}` });
        return code;
      })();
      // A failed upload is not remembered: the next record or asset with that content tries again.
      pending.catch(() => this.uploads.delete(key));
      this.uploads.set(key, pending);
    }
    return pending;
  }

  /** Upserts by container in batches of ≤100; each line that succeeds is saved in the state, each failure noted. */
  private async send(pending: Pending[], resource: (container: string) => { upsertMany(items: EeItem[]): Promise<SyncBatchResult<EeItem>[]> }): Promise<void> {
    if (pending.length === 0) return;
    if (this.ctx.dryRun) {
      for (const p of pending) this.count(p.type, p.key, p.stored ? 'updated' : 'created');
      return;
    }
    const byContainer = new Map<string, Pending[]>();
    for (const p of pending) byContainer.set(p.container, [...(byContainer.get(p.container) ?? []), p]);
    for (const [container, list] of byContainer) {
      for (const batch of chunks(list, 100)) {
        this.ctx.checkAbort();
        let results: SyncBatchResult<EeItem>[];
        try {
          results = await resource(container).upsertMany(batch.map((p) => p.payload));
        } catch (err) {
          for (const p of batch) this.count(p.type, p.key, 'failed');
          this.note(`${batch.length} ${batch[0]!.type === RECORD ? 'records' : 'assets'} of ${container}: ${errorText(err)}`);
          continue;
        }
        const rows: EntityState[] = [];
        results.forEach((r, i) => {
          const p = batch[r.index ?? i]!;
          if (r.outcome === 'failed') {
            this.count(p.type, p.key, 'failed');
            const details = r.errors?.map((e) => (e.property ? `${e.property}: ${e.message}` : e.message)).join('; ');
            this.note(`${p.type === RECORD ? 'record' : 'asset'} ${p.payload.code} of ${container} (from item ${p.origin}): ${[r.message, details].filter(Boolean).join(' — ')}`);
            return;
          }
          this.count(p.type, p.key, p.stored && p.stored.status !== 'deleted' ? 'updated' : 'created');
          rows.push({ type: p.type, code: p.key, pimId: null, originStream: 'items', originKey: p.origin, groupKey: null, hashes: p.hashes, erpVersion: null, status: 'synced' });
        });
        await this.ctx.deps.state.saveEntities(rows);
      }
    }
  }

  /** The records and assets the items read so far named, once any needed writing (else null: nothing to apply a policy after). */
  namedCodes(): string[] | null {
    return this.collector.isEmpty || !this.ready ? null : [...this.collector.seenCodes()];
  }

  /**
   * After a full read: records and assets Ferry wrote that no item names any more follow the
   * deletion policy (applyReferenceDeletionPolicy).
   */
  async gone(): Promise<void> {
    const named = this.namedCodes();
    if (!named) return;
    const { client, state, settings } = this.ctx.deps;
    await applyReferenceDeletionPolicy({ client, state, policy: settings.deletion, dryRun: this.ctx.dryRun }, new Set(named), this.report);
  }
}

/**
 * Records and assets Ferry wrote that no item names any more (`named`: the codes every item of a
 * full read named, as ReferenceDataCollector.seenCodes gives them) follow the deletion policy.
 * Assets are deleted under `delete`; anything else stays in the PIM (records cannot be deleted
 * through Akeneo's API; neither has an enabled flag or categories); each is a line of `report`.
 * The end of a one-process full run, and the settle of a queued one (src/app/jobs.ts).
 */
export async function applyReferenceDeletionPolicy(
  deps: { client: SyncPimClient; state: StateStore; policy: DeletionPolicy; dryRun: boolean },
  named: ReadonlySet<string>,
  report: ReferenceDataReport,
): Promise<void> {
  const { client, state, policy, dryRun } = deps;
  const note = (message: string) => {
    if (report.messages.length < 50) report.messages.push(message);
  };
  for (const type of [RECORD, ASSET]) {
    const counts = type === RECORD ? report.records : report.assets;
    for await (const keys of state.listEntityKeys(type)) {
      const goneKeys = keys.filter((k) => k.status === 'synced' && !named.has(`${type}:${k.code.toLowerCase()}`));
      const rows: EntityState[] = [];
      for (const k of goneKeys) {
        const [container, code] = splitKey(k.code);
        if (policy === 'delete' && type === ASSET) {
          if (dryRun) {
            counts.deleted++;
            continue;
          }
          let alreadyGone = false;
          try {
            await client.assets!(container).delete(code);
          } catch (err) {
            // Gone already (deleted in the PIM, or by an earlier attempt of this settle): the outcome wanted.
            alreadyGone = (err as { status?: number }).status === 404;
            if (!alreadyGone) {
              counts.failed++;
              note(`asset ${code} of ${container} (no ERP item names it any more): not deleted — ${errorText(err)}`);
              continue;
            }
          }
          // Counted in referenceData, not in deletionRecords: those are the ERP records' outcomes.
          counts.deleted++;
          note(`asset ${code} of ${container}: no ERP item names it any more; ${alreadyGone ? 'it was already gone from the PIM' : 'deleted'} (sync.deletion: delete).`);
          const full = (await state.getEntities(ASSET, [k.code])).get(k.code);
          if (full) rows.push({ ...full, status: 'deleted' });
        } else if (policy !== 'ignore') {
          counts.kept++;
          const why = type === RECORD ? "Akeneo's API cannot delete reference entity records" : `assets have nothing the "${policy}" policy could change`;
          note(`${type === RECORD ? 'record' : 'asset'} ${code} of ${container}: no ERP item names it any more; kept (${why}). Delete it in the PIM if it is no longer used.`);
        }
      }
      if (rows.length && !dryRun) await state.saveEntities(rows);
    }
  }
}

/** Runs `fn` over `items`, at most `limit` at a time, and keeps the non-null results in input order. */
async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R | null>): Promise<R[]> {
  const out: (R | null)[] = new Array<R | null>(items.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out.filter((r): r is R => r !== null);
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return [key.slice(0, at), key.slice(at + 1)];
}
