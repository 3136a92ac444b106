import { describe, expect, it } from 'vitest';
import type { MediaUploadRequest } from '../../../src/mapping/types.js';
import { valueKey } from '../../../src/sync/hash.js';
import { MediaUploads } from '../../../src/sync/stages/media.js';
import { PimWatch } from '../../../src/sync/stages/pim-watch.js';
import type { SyncTask } from '../../../src/sync/stages/tasks.js';
import { stageWorld } from './support.js';

function request(sku: string, source: string): MediaUploadRequest {
  return { owner: { kind: 'product', identifier: sku }, attribute: 'picture', locale: null, scope: null, source, origin: { stream: 'items', key: sku, updatedAt: null } };
}

describe('media stage', () => {
  it('uploads one content once: a second owner is pointed at it, a rerun answers 304 and changes nothing', async () => {
    const reads: string[] = [];
    const w = await stageWorld({}, {
      readMedia: async (source) => {
        reads.push(source);
        return { content: Buffer.from('same bytes'), filename: source.split('/').pop()! };
      },
    });
    await w.state.saveEntities(
      ['p1', 'p2'].map((sku, i) => ({ type: 'product' as const, code: sku, pimId: `uuid-${i + 1}`, originStream: 'items', originKey: sku, groupKey: null, hashes: {}, erpVersion: null, status: 'synced' as const })),
    );
    for (const k of ['p1', 'p2']) w.ctx.ledger.read('items', k);
    const media = new MediaUploads(w.ctx, new PimWatch(w.ctx, () => undefined));
    const planned: SyncTask[] = [];
    media.plan(request('p1', 'img/a.jpg'), planned);
    media.plan(request('p2', 'img/copy-of-a.jpg'), planned);
    const key = valueKey('picture', null, null);
    expect(planned.map((t) => t.id)).toEqual([`media:product:p1:${key}`, `media:product:p2:${key}`]);
    expect(planned.every((t) => t.deps.length === 0 && t.lane === 'media')).toBe(true);

    expect(await media.upload(planned[0]!)).toEqual({ outcome: 'updated', status: 204 });
    expect(await media.upload(planned[1]!)).toEqual({ outcome: 'updated', status: 204 });
    expect(w.pim.media.size).toBe(1);
    // The second owner got the existing code by a values-only write, not a second upload.
    const code = [...w.pim.media.keys()][0]!;
    expect(w.pim.calls).toEqual([{ lane: 'product', items: [{ uuid: 'uuid-2', values: { picture: [{ locale: null, scope: null, data: code }] } }] }]);
    expect(await w.state.getMedia([...(await w.state.listMediaBySource()).values()][0]!.contentHash)).toMatchObject({ code });

    // Both owners now hold the code: nothing to change in the PIM.
    expect(await media.upload(planned[0]!)).toEqual({ outcome: 'updated', status: 304 });
    expect(w.pim.media.size).toBe(1);
    expect(reads).toEqual(['img/a.jpg', 'img/copy-of-a.jpg', 'img/a.jpg']);
  });

  it('an upload waits for its owner when the owner is written in the same plan', async () => {
    const w = await stageWorld({}, { readMedia: async () => ({ content: Buffer.from('x'), filename: 'x.jpg' }) });
    const media = new MediaUploads(w.ctx, new PimWatch(w.ctx, () => undefined));
    const owner = { id: 'product:p1', lane: 'product', rank: 4, deps: [], attempts: 0, payload: {}, ctx: { type: 'product', code: 'p1', label: 'p1', origin: null, groupKey: null, pimId: 'uuid-1', nextHashes: {}, effect: 'write', statusAfter: 'synced' } } satisfies SyncTask;
    const planned: SyncTask[] = [owner];
    media.plan(request('p1', 'x.jpg'), planned);
    expect(planned[1]!.deps).toEqual(['product:p1']);
    expect(planned[1]!.ctx.pimId).toBe('uuid-1');
    expect(media.isOwner('product:p1')).toBe(true);
    expect(media.isOwner('product:p2')).toBe(false);
  });

  it('a source that cannot be read rejects its line, named on the attribute', async () => {
    const w = await stageWorld({}, { readMedia: async () => { throw new Error('ENOENT: no such file'); } });
    const media = new MediaUploads(w.ctx, new PimWatch(w.ctx, () => undefined));
    const planned: SyncTask[] = [];
    media.plan(request('p1', 'missing.jpg'), planned);
    const r = await media.upload(planned[0]!);
    expect(r.outcome).toBe('failed');
    expect(r.status).toBe(422);
    expect(r.message).toContain('missing.jpg');
    expect(r.errors).toEqual([expect.objectContaining({ attribute: 'picture' })]);
  });
});
