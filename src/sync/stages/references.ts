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
import type { EeItem, SyncBatchResult } from '../pim.js';
import type { EntityState, EntityType } from '../state/port.js';
import type { RunContext } from './context.js';
import { errorText } from './errors.js';

type Counts = { created: number; updated: number; unchanged: number; failed: number; deleted: number; kept: number };
export interface ReferenceDataReport {
  records: Counts;
  assets: Counts;
  /** Asset media files uploaded (one per distinct content). */
  uploads: number;
  /** What failed, one line each (the first 50), and what the deletion policy left in place. */
  messages: string[];
}

const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0, failed: 0, deleted: 0, kept: 0 });
export function emptyReferenceDataReport(): ReferenceDataReport {
  return { records: zero(), assets: zero(), uploads: 0, messages: [] };
}

const RECORD: EntityType = 'reference_entity_record';
const ASSET: EntityType = 'asset';
const HASH = '@payload';

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
  /** Asset media codes of this run by content hash: one upload per content. */
  private readonly uploads = new Map<string, Promise<string>>();

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
  async write(items: readonly ErpRecord[]): Promise<void> {
    if (this.collector.isEmpty) return;
    const got = this.collector.collect(items);
    if (got.records.length === 0 && got.assets.length === 0 && got.problems.length === 0) return;
    await this.check();
    // The mapper warns about the same value on the product (its link is dropped): the report lists it here once more, briefly.
    for (const p of got.problems) this.note(`item ${p.origin}, field ${p.field}: ${p.message}. ${p.fix}`);
    await this.writeRecords(got.records);
    await this.writeAssets(got.assets);
  }

  private async writeRecords(records: RecordPayload[]): Promise<void> {
    const keys = records.map((r) => `${r.entity}:${r.code}`);
    const stored = await this.ctx.deps.state.getEntities(RECORD, keys);
    const pending: Pending[] = [];
    for (const r of records) {
      const key = `${r.entity}:${r.code}`;
      const hashes = { [HASH]: fingerprint(r.values) };
      const before = stored.get(key);
      if (before?.status === 'synced' && before.hashes[HASH] === hashes[HASH]) {
        this.report.records.unchanged++;
        continue;
      }
      pending.push({ type: RECORD, container: r.entity, key, payload: { code: r.code, values: r.values }, stored: before, hashes, origin: r.origin });
    }
    await this.send(pending, (entity) => this.ctx.deps.client.referenceEntityRecords!(entity), this.report.records);
  }

  private async writeAssets(assets: AssetWanted[]): Promise<void> {
    const keys = assets.map((a) => `${a.family}:${a.code}`);
    const stored = await this.ctx.deps.state.getEntities(ASSET, keys);
    const pending: Pending[] = [];
    for (const a of assets) {
      const key = `${a.family}:${a.code}`;
      const before = stored.get(key);
      if (this.ctx.dryRun) {
        // Nothing is read in a dry run: a new path is a create, a known one unchanged.
        if (before?.status === 'synced' && before.hashes['@source'] === fingerprint(a.source)) this.report.assets.unchanged++;
        else this.report.assets[before ? 'updated' : 'created']++;
        continue;
      }
      let media: { hash: string; code: string | null };
      try {
        media = await this.media(a, before);
      } catch (err) {
        this.report.assets.failed++;
        this.note(`asset ${a.code} of ${a.family} (file ${mediaSourceForDisplay(a.source)}, item ${a.origin}): ${errorText(err)}. Fix the file or its path in the ERP; the products linking it are refused by the PIM until then.`);
        continue;
      }
      const hashes = { '@media': media.hash, '@source': fingerprint(a.source) };
      if (before?.status === 'synced' && before.hashes['@media'] === media.hash && before.hashes['@source'] === hashes['@source']) {
        this.report.assets.unchanged++;
        continue;
      }
      const code = media.code ?? (await this.upload(a, media.hash));
      pending.push({
        type: ASSET,
        container: a.family,
        key,
        payload: { code: a.code, values: { [a.mediaAttribute]: [{ locale: null, channel: null, data: code }] } },
        stored: before,
        hashes,
        origin: a.origin,
      });
    }
    await this.send(pending, (family) => this.ctx.deps.client.assets!(family), this.report.assets);
  }

  /**
   * The asset file's content hash and, when it was uploaded before (this run or an earlier one), its
   * asset media code. Reading a local file whose size and date did not change costs no hashing.
   */
  private async media(a: AssetWanted, before: EntityState | undefined): Promise<{ hash: string; code: string | null }> {
    const read = this.ctx.deps.readMedia;
    if (!read) throw new Error('no media reader is configured (sync.mediaRoot)');
    const got = await read(a.source);
    const hash = 'notModified' in got ? got.contentHash : contentHash(got.content);
    if ('content' in got) this.contents.set(hash, got);
    if (before?.hashes['@media'] === hash) return { hash, code: null };
    const row = await this.ctx.deps.state.getMedia(`asset-media:${hash}`);
    return { hash, code: row?.code ?? null };
  }

  private readonly contents = new Map<string, { content: Buffer; filename: string }>();

  private upload(a: AssetWanted, hash: string): Promise<string> {
    let pending = this.uploads.get(hash);
    if (!pending) {
      pending = (async () => {
        const file = this.contents.get(hash);
        if (!file) throw new Error(`the file ${mediaSourceForDisplay(a.source)} was not read again (the server answered "not modified"); run with --full after clearing its cache`);
        const code = await this.ctx.deps.client.assetMediaFiles!.upload({ content: file.content, filename: file.filename });
        this.report.uploads++;
        await this.ctx.deps.state.saveMedia({ contentHash: `asset-media:${hash}`, code, source: `asset-media:${mediaSourceKey(a.source)}` }); // a signed URL's secret never reaches the state
        this.contents.delete(hash);
        return code;
      })();
      this.uploads.set(hash, pending);
    }
    return pending;
  }

  /** Upserts by container in batches of ≤100; each line that succeeds is saved in the state, each failure noted. */
  private async send(pending: Pending[], resource: (container: string) => { upsertMany(items: EeItem[]): Promise<SyncBatchResult<EeItem>[]> }, counts: Counts): Promise<void> {
    if (pending.length === 0) return;
    if (this.ctx.dryRun) {
      for (const p of pending) counts[p.stored ? 'updated' : 'created']++;
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
          counts.failed += batch.length;
          this.note(`${batch.length} ${batch[0]!.type === RECORD ? 'records' : 'assets'} of ${container}: ${errorText(err)}`);
          continue;
        }
        const rows: EntityState[] = [];
        results.forEach((r, i) => {
          const p = batch[r.index ?? i]!;
          if (r.outcome === 'failed') {
            counts.failed++;
            const details = r.errors?.map((e) => (e.property ? `${e.property}: ${e.message}` : e.message)).join('; ');
            this.note(`${p.type === RECORD ? 'record' : 'asset'} ${p.payload.code} of ${container} (from item ${p.origin}): ${[r.message, details].filter(Boolean).join(' — ')}`);
            return;
          }
          counts[p.stored && p.stored.status !== 'deleted' ? 'updated' : 'created']++;
          rows.push({ type: p.type, code: p.key, pimId: null, originStream: 'items', originKey: p.origin, groupKey: null, hashes: p.hashes, erpVersion: null, status: 'synced' });
        });
        await this.ctx.deps.state.saveEntities(rows);
      }
    }
  }

  /**
   * After a full read: records and assets Ferry wrote that no item names any more follow the
   * deletion policy. Assets are deleted under `delete`; anything else stays in the PIM (records
   * cannot be deleted through Akeneo's API; neither has an enabled flag or categories).
   */
  async gone(): Promise<void> {
    if (this.collector.isEmpty || !this.ready) return;
    const policy = this.ctx.deps.settings.deletion;
    const seen = this.collector.seenCodes();
    for (const type of [RECORD, ASSET]) {
      const counts = type === RECORD ? this.report.records : this.report.assets;
      for await (const keys of this.ctx.deps.state.listEntityKeys(type)) {
        const goneKeys = keys.filter((k) => k.status === 'synced' && !seen.has(`${type}:${k.code.toLowerCase()}`));
        const rows: EntityState[] = [];
        for (const k of goneKeys) {
          const [container, code] = splitKey(k.code);
          if (policy === 'delete' && type === ASSET) {
            if (this.ctx.dryRun) {
              counts.deleted++;
              continue;
            }
            try {
              await this.ctx.deps.client.assets!(container).delete(code);
            } catch (err) {
              counts.failed++;
              this.note(`asset ${code} of ${container} (no ERP item names it any more): not deleted — ${errorText(err)}`);
              continue;
            }
            counts.deleted++;
            this.ctx.notePolicy('deleted', `asset ${container}/${code}`);
            const full = (await this.ctx.deps.state.getEntities(ASSET, [k.code])).get(k.code);
            if (full) rows.push({ ...full, status: 'deleted' });
          } else if (policy !== 'ignore') {
            counts.kept++;
            const why = type === RECORD ? "Akeneo's API cannot delete reference entity records" : `assets have nothing the "${policy}" policy could change`;
            this.note(`${type === RECORD ? 'record' : 'asset'} ${code} of ${container}: no ERP item names it any more; kept (${why}). Delete it in the PIM if it is no longer used.`);
          }
        }
        if (rows.length && !this.ctx.dryRun) await this.ctx.deps.state.saveEntities(rows);
      }
    }
  }
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return [key.slice(0, at), key.slice(at + 1)];
}
