/**
 * Media: a value the mapper could not resolve to a PIM media code (a source never uploaded, or a
 * local file changed since) becomes a task that runs after its owner's write: read the source,
 * hash it, upload it once per content, and point every owner of that content at it.
 */
import { contentHash } from '../../mapping/media.js';
import type { MediaUploadRequest } from '../../mapping/types.js';
import { fingerprint, valueKey } from '../hash.js';
import { mediaSourceForDisplay, type MediaContent } from '../media-source.js';
import type { LineResult } from '../scheduler.js';
import type { EntityType } from '../state/port.js';
import type { RunContext } from './context.js';
import { errorText } from './errors.js';
import type { PimWatch } from './pim-watch.js';
import { RANK, type SyncTask } from './tasks.js';

export class MediaUploads {
  /** Uploads of this run by content hash: one per distinct content, even within one batch. */
  private readonly uploads = new Map<string, Promise<string>>();
  /** Products a media upload waits for (so their outcome is remembered for it). */
  private readonly owners = new Set<string>();

  constructor(
    private readonly ctx: RunContext,
    private readonly pim: PimWatch,
  ) {}

  /** Whether a media task waits for this entity id. */
  isOwner(id: string): boolean {
    return this.owners.has(id);
  }

  /** Adds the upload task of `media` to `planned`, after its owner's task when that is planned too. */
  plan(media: MediaUploadRequest, planned: SyncTask[]): void {
    const { ctx } = this;
    if (!ctx.deps.readMedia) return;
    if (ctx.dryRun) {
      // Nothing is read in a dry run; the record would change.
      ctx.ledger.settle(media.origin.stream, media.origin.key, 'updated', null, false);
      return;
    }
    const ownerId = media.owner.kind === 'product' ? `product:${media.owner.identifier}` : `product_model:${media.owner.code}`;
    const ownerTask = planned.find((t) => t.id === ownerId);
    const key = valueKey(media.attribute, media.locale, media.scope);
    ctx.ledger.expect(media.origin.stream, media.origin.key);
    if (ownerTask) this.owners.add(ownerId);
    planned.push({
      id: `media:${ownerId}:${key}`,
      lane: 'media',
      rank: RANK.media!,
      deps: ownerTask ? [ownerId] : [],
      attempts: 0,
      payload: {},
      ctx: {
        type: media.owner.kind,
        code: media.owner.kind === 'product' ? media.owner.identifier : media.owner.code,
        label: media.owner.kind === 'product' ? media.owner.identifier : media.owner.code,
        origin: { stream: media.origin.stream, key: media.origin.key, updatedAt: media.origin.updatedAt },
        groupKey: null,
        pimId: ownerTask?.ctx.pimId ?? null,
        nextHashes: {},
        effect: 'write',
        statusAfter: 'synced',
        media,
      },
    });
  }

  /**
   * Reads a media source, hashes it and makes the owner's value point at a media file with that
   * content: uploaded once per content (the upload also sets the value on that owner); another
   * owner of the same content gets the existing code by PATCH, unless its value already is it.
   * Answers 304 when nothing had to change in the PIM.
   */
  async upload(t: SyncTask): Promise<LineResult> {
    const media = t.ctx.media!;
    const { client, state } = this.ctx.deps;
    try {
      const read = await this.ctx.deps.readMedia!(media.source);
      let file: MediaContent | null = null;
      let hash: string;
      let knownCode: string | null = null;
      if ('notModified' in read) {
        // A 304 from the image server: the content is the one uploaded before, under a known code.
        hash = read.contentHash;
        knownCode = read.code;
      } else {
        file = read;
        hash = contentHash(read.content);
      }
      const where = { attribute: media.attribute, locale: media.locale, scope: media.scope };
      // One upload per distinct content, even when two owners of it are in the same batch.
      let pending = this.uploads.get(hash);
      let uploadedHere = false;
      if (!pending) {
        const known = knownCode !== null ? { code: knownCode } : await state.getMedia(hash);
        pending = this.uploads.get(hash);
        if (!pending) {
          if (known) pending = Promise.resolve(known.code);
          else {
            uploadedHere = true;
            // Products are targeted by identifier, the documented key (a uuid target is not).
            pending = client.mediaFiles.upload({
              content: file!.content,
              filename: file!.filename,
              ...(media.owner.kind === 'product' ? { product: { identifier: media.owner.identifier, ...where } } : { productModel: { code: media.owner.code, ...where } }),
            });
          }
          this.uploads.set(hash, pending);
        }
      }
      let code: string;
      try {
        code = await pending;
      } catch (err) {
        this.uploads.delete(hash);
        throw err;
      }
      if (file) {
        await state.saveMedia({
          contentHash: hash,
          code,
          source: media.source,
          size: file.size ?? null,
          mtimeMs: file.mtimeMs ?? null,
          etag: file.etag ?? null,
          lastModified: file.lastModified ?? null,
        });
      }

      const type = media.owner.kind as EntityType;
      const owner = (await state.getEntities(type, [t.ctx.code])).get(t.ctx.code);
      const key = valueKey(media.attribute, media.locale, media.scope);
      const fp = fingerprint(code);
      const alreadyThere = owner?.hashes[key] === fp;
      if (!uploadedHere && !alreadyThere) {
        // Same content already in the PIM: point the value at it, no second upload.
        const value = { [media.attribute]: [{ locale: media.locale, scope: media.scope, data: code }] };
        let body: Record<string, unknown>;
        if (media.owner.kind === 'product_model') body = { code: media.owner.code, values: value };
        else if (this.ctx.mode === 'identifier') body = { identifier: media.owner.identifier, values: value };
        else {
          const uuid = owner?.pimId ?? t.ctx.pimId;
          if (!uuid) return { outcome: 'failed', status: 422, message: `media ${mediaSourceForDisplay(media.source)}: SKU ${media.owner.identifier} has no known uuid in the PIM yet; it is sent again on the next run` };
          body = { uuid, values: value };
        }
        const [r] = media.owner.kind === 'product' ? await client.products.upsertMany([body as never]) : await client.productModels.upsertMany([body as never]);
        if (r && r.outcome === 'failed') return { outcome: 'failed', status: r.status, message: r.message, errors: r.errors };
      }
      // Remember the value so the next run sees it unchanged.
      if (owner && !alreadyThere) {
        owner.hashes[key] = fp;
        await state.saveEntities([owner]);
      }
      return { outcome: 'updated', status: uploadedHere || !alreadyThere ? 204 : 304 };
    } catch (err) {
      // The PIM not answering is not the file's fault: retried like any line without an answer.
      if ((err as { name?: string }).name === 'AkeneoNetworkError') {
        this.pim.silent(errorText(err));
        return { outcome: 'failed', status: 0, message: `media ${mediaSourceForDisplay(media.source)}: ${errorText(err)}` };
      }
      const message = `media ${mediaSourceForDisplay(media.source)}: ${errorText(err)}`;
      // Named on the attribute, so the reject says record, field and rule.
      return { outcome: 'failed', status: (err as { status?: number }).status ?? 422, message, errors: [{ attribute: media.attribute, locale: media.locale, scope: media.scope, message }] };
    }
  }
}
