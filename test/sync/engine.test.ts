import { describe, expect, it, beforeEach } from 'vitest';
import { executeSync, type EngineDeps, type SyncOptions } from '../../src/sync/engine.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { countsAddUp, type RunReport } from '../../src/sync/report.js';
import { productUuidFor } from '../../src/sync/product-uuid.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

function seed(erp: FakeErp): void {
  erp.put({ stream: 'categories', key: 'master', parent: null, fields: { name: 'Master' } });
  erp.put({ stream: 'categories', key: 'cat_a', parent: 'master', fields: { name: 'A' } });
  erp.put({ stream: 'categories', key: 'cat_b', parent: 'cat_a', fields: { name: 'B' } });
  erp.put({ stream: 'groups', key: 'tshirt', fields: { description: 'A shirt' } });
  erp.put({ stream: 'groups', key: 'mug', fields: { description: 'A mug' } });
  erp.item('tshirt_red', 'tshirt', { name: 'Red shirt', weight: '0.2', color: 'red' });
  erp.item('tshirt_blue', 'tshirt', { name: 'Blue shirt', weight: '0.2', color: 'blue' });
  erp.item('mug_white', 'mug', { name: 'Mug', weight: '0.4', color: 'green' });
  erp.item('pen', null, { name: 'Pen', weight: '0.01' });
}

const stores = await stateStoreKinds();

describe.each(stores)('sync engine (fakes), $name state', ({ open }) => {
  let erp: FakeErp;
  let pim: FakePim;
  let state: StateStore;
  let deps: EngineDeps;
  const reports: RunReport[] = [];

  async function run(options: SyncOptions = {}, over: Partial<EngineDeps> = {}): Promise<RunReport> {
    const r = await executeSync({ ...deps, ...over }, { heartbeatMs: 50, ...options });
    reports.push(r);
    // Every run: each record read ended in exactly one outcome.
    expect(countsAddUp(r.counts), JSON.stringify(r.counts)).toBe(true);
    for (const t of Object.values(r.byType)) expect(countsAddUp(t)).toBe(true);
    return r;
  }

  beforeEach(async () => {
    erp = new FakeErp();
    pim = new FakePim();
    state = await open();
    seed(erp);
    deps = { source: erp, client: pim, mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
  });

  it('imports everything in dependency order, then costs zero writes when nothing changed', async () => {
    const first = await run();
    expect(first.status).toBe('succeeded');
    expect(first.counts).toMatchObject({ read: 9, created: 8, skipped: 1, rejected: 0 }); // the one-item group 'mug' stays a simple product
    expect(pim.products_.size).toBe(4);
    expect(pim.models.size).toBe(1);
    expect(pim.cats.size).toBe(3);
    // categories (3 depths) before models before products
    const lanes = pim.calls.map((c) => c.lane);
    expect(lanes.lastIndexOf('category')).toBeLessThan(lanes.indexOf('product_model'));
    expect(lanes.indexOf('product_model')).toBeLessThan(lanes.indexOf('product'));
    expect(first.watermarks.after.items).not.toBeNull();

    const writesBefore = pim.calls.length;
    const second = await run();
    expect(pim.calls.length).toBe(writesBefore);
    expect(second.requests.writes).toBe(0);
    expect(second.counts.created + second.counts.updated).toBe(0);

    const full = await run({ full: true });
    expect(pim.calls.length).toBe(writesBefore);
    expect(full.counts.unchanged).toBe(8);
  });

  it('a delta run does not re-map groups re-read only because since is inclusive', async () => {
    // Templates created in one transaction: one timestamp for every group (older than the items).
    const stamp = '2025-12-01T00:00:00.000Z';
    for (const r of erp.records.values()) if (r.stream === 'groups') r.updatedAt = stamp;
    await run();
    erp.reads.length = 0;
    const r = await run();
    expect(r.requests.writes).toBe(0);
    // The boundary re-read (inclusive since) happened, but the unchanged model's variants were not
    // re-read by key; only the one-item group (no model to remember its version by) costs a read.
    expect(erp.reads.filter((x) => x.stream === 'items' && x.keys)).toEqual([{ stream: 'items', keys: 1, since: undefined }]);
    expect(r.counts.unchanged).toBe(r.counts.read - r.counts.skipped);
    // an ERP change to a group (template) still re-maps it
    erp.edit('groups', 'tshirt', (g) => (g.fields.description = 'A better shirt'));
    const r2 = await run();
    expect(r2.byType.product_model.updated).toBe(1);
  });

  it('sends exactly one PATCH carrying only the changed value', async () => {
    await run();
    const before = pim.calls.length;
    erp.edit('items', 'tshirt_red', (r) => (r.fields.name = 'Crimson shirt'));
    const r = await run();
    expect(pim.calls.length - before).toBe(1);
    const call = pim.calls[pim.calls.length - 1]!;
    expect(call.lane).toBe('product');
    expect(call.items).toHaveLength(1);
    expect(Object.keys(call.items[0]!).sort()).toEqual(['uuid', 'values']);
    expect(call.items[0]!.values).toEqual({ name: [{ locale: 'en_US', scope: null, data: 'Crimson shirt' }] });
    expect(r.counts.updated).toBe(1);
  });

  it('sends an explicit null only for values Ferry wrote before', async () => {
    erp.edit('items', 'pen', (r) => (r.fields.name = ''));
    await run();
    const created = pim.calls.find((c) => c.lane === 'product' && c.items.some((i) => (i.values as Record<string, unknown[]>).sku?.[0]))!;
    const penCreate = created.items.find((i) => JSON.stringify(i).includes('"pen"'))!;
    expect((penCreate.values as Record<string, unknown>).name).toBeUndefined();
    erp.edit('items', 'mug_white', (r) => (r.fields.name = ''));
    const before = pim.calls.length;
    await run();
    expect(pim.calls.length - before).toBe(1);
    expect(pim.calls.at(-1)!.items[0]!.values).toEqual({ name: [{ locale: 'en_US', scope: null, data: null }] });
  });

  it('puts a new variant under its existing model, re-reading its siblings for the mapper', async () => {
    await run();
    erp.item('tshirt_green', 'tshirt', { name: 'Green shirt', weight: '0.2', color: 'green' });
    const before = pim.calls.length;
    const r = await run();
    expect(r.counts.created).toBe(1);
    expect(pim.calls.length - before).toBe(1);
    const p = pim.productByIdentifier('tshirt_green')!;
    expect(p.parent).toBe('tshirt');
    // the siblings were read (to map the whole group) and ended unchanged
    expect(r.counts.unchanged).toBeGreaterThanOrEqual(2);
  });

  it('applies the deletion policy to archived items and to items gone in a full run', async () => {
    await run();
    erp.edit('items', 'pen', (r) => (r.active = false));
    const r1 = await run();
    // Disabled, not deleted: counted apart.
    expect(r1.counts).toMatchObject({ disabled: 1, deleted: 0 });
    expect(pim.productByIdentifier('pen')!.enabled).toBe(false);
    const again = await run({ full: true });
    expect(again.counts).toMatchObject({ disabled: 0, deleted: 0 });

    erp.remove('items', 'mug_white');
    const r2 = await run({ full: true });
    expect(r2.deletions).toMatchObject({ gone: 1, applied: 1, failed: 0 });
    expect(pim.productByIdentifier('mug_white')!.enabled).toBe(false);
  });

  it('deletes when the policy says delete', async () => {
    deps.settings = { deletion: 'delete', updateOnly: false };
    await run();
    erp.edit('items', 'pen', (r) => (r.active = false));
    const r = await run();
    expect(r.counts.deleted).toBe(1);
    expect(pim.productByIdentifier('pen')).toBeUndefined();
    // Active again in the ERP: created anew, whole.
    erp.edit('items', 'pen', (rec) => (rec.active = true));
    const uuidBefore = (await state.getEntities('product', ['pen'])).get('pen')!.pimId;
    const back = await run();
    expect(back.counts.created).toBe(1);
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen');
    // A new product, so a new uuid: the deleted one's history stays apart.
    expect(pim.productByIdentifier('pen')!.uuid).not.toBe(uuidBefore);
  });

  it('deletion policy ignore: an archived item is synced like any other, a gone one is only counted', async () => {
    deps.settings = { deletion: 'ignore', updateOnly: false };
    await run();
    erp.edit('items', 'pen', (r) => {
      r.active = false;
      r.fields.name = 'Old pen';
    });
    const r1 = await run();
    expect(r1.counts).toMatchObject({ deleted: 0, updated: 1 });
    expect(pim.productByIdentifier('pen')!.enabled).not.toBe(false);
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Old pen');
    erp.remove('items', 'mug_white');
    const before = pim.calls.length;
    const r2 = await run({ full: true });
    expect(r2.deletions).toEqual({ policy: 'ignore', gone: 1, applied: 0, failed: 0 });
    expect(pim.calls.length).toBe(before);
    expect(pim.productByIdentifier('mug_white')!.categories).toEqual(['cat_a']);
  });

  it('deletion policy uncategorize: archived and gone items leave their categories, once', async () => {
    deps.settings = { deletion: 'uncategorize', updateOnly: false };
    await run();
    erp.edit('items', 'pen', (r) => (r.active = false));
    const r1 = await run();
    expect(r1.counts.deleted).toBe(1);
    expect(pim.productByIdentifier('pen')!.categories).toEqual([]);
    expect(pim.productByIdentifier('pen')!.enabled).not.toBe(false);
    expect(pim.calls.at(-1)!.items).toEqual([{ uuid: pim.productByIdentifier('pen')!.uuid, categories: [] }]);
    erp.remove('items', 'mug_white');
    const r2 = await run({ full: true });
    expect(r2.deletions).toEqual({ policy: 'uncategorize', gone: 1, applied: 1, failed: 0 });
    expect(pim.productByIdentifier('mug_white')!.categories).toEqual([]);
    const r3 = await run({ full: true });
    expect(r3.requests.writes).toBe(0);
    expect(r3.counts.deleted).toBe(0);
  });

  it('deletion policy delete also deletes an item gone from the ERP in a full run', async () => {
    deps.settings = { deletion: 'delete', updateOnly: false };
    await run();
    erp.remove('items', 'pen');
    const r = await run({ full: true });
    expect(r.deletions).toEqual({ policy: 'delete', gone: 1, applied: 1, failed: 0 });
    expect(pim.productByIdentifier('pen')).toBeUndefined();
    const again = await run({ full: true });
    expect(again.deletions.gone).toBe(0);
    expect(again.requests.writes).toBe(0);
  });

  it('--since reads what changed since that date; the watermark moves only when that covers everything since the last one', async () => {
    const first = await run();
    const watermark = first.watermarks.after.items!;
    erp.edit('items', 'pen', (r) => (r.fields.name = 'Pen 2'));
    const between = erp.tick();
    erp.edit('items', 'tshirt_red', (r) => (r.fields.name = 'Red 2'));
    const r = await run({ since: between });
    expect(r.mode).toBe('since');
    expect(pim.productByIdentifier('tshirt_red')!.values!.name![0]!.data).toBe('Red 2');
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen'); // changed before --since: not read
    expect(r.byType.product).toMatchObject({ updated: 1, read: 2 }); // tshirt_red and its sibling
    // The pen change lies between the watermark and --since: the watermark must not pass it.
    expect(r.watermarks.after.items).toBe(watermark);
    const delta = await run();
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen 2');
    expect(delta.watermarks.after.items).toBe(erp.records.get('items:tshirt_red')!.updatedAt);
    // A --since at or before the watermark covers everything since it: the watermark moves.
    erp.edit('items', 'mug_white', (rec) => (rec.fields.name = 'Mug 2'));
    const covering = await run({ since: watermark });
    expect(covering.watermarks.after.items).toBe(erp.records.get('items:mug_white')!.updatedAt);
  });

  it('update-only mode never creates', async () => {
    deps.settings = { deletion: 'disable', updateOnly: true };
    const r = await run();
    expect(pim.products_.size).toBe(0);
    expect(pim.models.size).toBe(0);
    expect(r.counts.skipped).toBe(6);
    expect(r.counts.created).toBe(3); // the categories
  });

  it('update-only mode finds what the PIM already has, records it and sends it only the ERP-owned values', async () => {
    deps.settings = { deletion: 'disable', updateOnly: true };
    // Julia created the model and one variant in the PIM; the rest is only in the ERP.
    await pim.productModels.upsertMany([{ code: 'tshirt', family_variant: 'julia_fv', values: { marketing: [{ locale: 'en_US', scope: null, data: 'Julia' }] } }]);
    await pim.products.upsertMany([{ uuid: 'bbbbbbbb-0000-4000-8000-000000000000', family: 'julias', parent: 'tshirt', values: { sku: [{ locale: null, scope: null, data: 'tshirt_red' }] } }]);
    pim.calls.length = 0;

    const dry = await run({ dryRun: true });
    expect(dry.plan!.actions.product!).toMatchObject({ update: 1, create: 0 });
    expect(dry.plan!.actions.product_model!).toMatchObject({ update: 1, create: 0 });
    expect(await state.countEntities()).toBe(0);

    const r = await run();
    expect(r.updateOnly).toEqual({ foundInPim: 2, notInPim: 3 }); // tshirt_blue, mug_white, pen
    expect(r.byType.product).toMatchObject({ updated: 1, skipped: 3, created: 0 });
    expect(r.byType.product_model).toMatchObject({ updated: 1, created: 0 });
    expect(pim.products_.size).toBe(1);
    expect(pim.models.size).toBe(1);
    const productLines = pim.calls.filter((c) => c.lane === 'product').flatMap((c) => c.items);
    expect(productLines).toEqual([{ uuid: 'bbbbbbbb-0000-4000-8000-000000000000', values: { sku: [{ locale: null, scope: null, data: 'tshirt_red' }], name: [{ locale: 'en_US', scope: null, data: 'Red shirt' }], weight: [{ locale: null, scope: null, data: '0.2' }], color: [{ locale: null, scope: null, data: 'red' }] } }]);
    const modelLines = pim.calls.filter((c) => c.lane === 'product_model').flatMap((c) => c.items);
    expect(modelLines).toEqual([{ code: 'tshirt', values: { description: [{ locale: 'en_US', scope: null, data: 'A shirt' }] } }]);
    // Julia's structure and values stay hers.
    expect(pim.productByIdentifier('tshirt_red')!.family).toBe('julias');
    expect(pim.models.get('tshirt')!.family_variant).toBe('julia_fv');
    expect(pim.models.get('tshirt')!.values!.marketing![0]!.data).toBe('Julia');
    expect((await state.getEntities('product', ['tshirt_red'])).get('tshirt_red')!.pimId).toBe('bbbbbbbb-0000-4000-8000-000000000000');

    // Known now: the next run neither looks them up nor writes.
    const again = await run({ full: true });
    expect(again.requests.writes).toBe(0);
    expect(again.updateOnly).toEqual({ foundInPim: 0, notInPim: 3 });
    // An ERP change reaches the adopted product as a one-value PATCH.
    erp.edit('items', 'tshirt_red', (rec) => (rec.fields.name = 'Crimson shirt'));
    const before = pim.calls.length;
    await run();
    expect(pim.calls.slice(before).flatMap((c) => c.items)).toEqual([{ uuid: 'bbbbbbbb-0000-4000-8000-000000000000', values: { name: [{ locale: 'en_US', scope: null, data: 'Crimson shirt' }] } }]);
  });

  it('update-only mode with identifier endpoints adopts by identifier', async () => {
    pim.mode = 'identifier';
    deps.settings = { deletion: 'disable', updateOnly: true };
    await pim.products.upsertMany([{ identifier: 'pen', values: { sku: [{ locale: null, scope: null, data: 'pen' }] } }]);
    pim.calls.length = 0;
    const r = await run();
    expect(r.byType.product).toMatchObject({ updated: 1, created: 0, skipped: 3 });
    expect(pim.calls.filter((c) => c.lane === 'product').flatMap((c) => c.items)).toEqual([
      { identifier: 'pen', values: { sku: [{ locale: null, scope: null, data: 'pen' }], name: [{ locale: 'en_US', scope: null, data: 'Pen' }], weight: [{ locale: null, scope: null, data: '0.01' }] } },
    ]);
  });

  it('an option created in this run is a dependency of every entity using it, not only the first one the mapper reported it for', async () => {
    // The real mapper reports a missing option once per run, with the first record needing it.
    const base = fakeMapper();
    const claimed = new Set<string>();
    const mapper = {
      ...base,
      mapItems(items: Parameters<typeof base.mapItems>[0], groups: Parameters<typeof base.mapItems>[1]) {
        const res = base.mapItems(items, groups);
        res.missingOptions = res.missingOptions.filter((o) => !claimed.has(o.code) && claimed.add(o.code));
        return res;
      },
    };
    erp.edit('items', 'pen', (rec) => (rec.fields.color = 'new_teal'));
    erp.edit('items', 'mug_white', (rec) => (rec.fields.color = 'new_teal'));
    const r = await run({}, { mapper });
    expect(r.status).toBe('succeeded');
    expect(pim.options.has('color:new_teal')).toBe(true);
    // Each product was sent once: none went before the option and had to be retried.
    const sent = pim.calls.filter((c) => c.lane === 'product').flatMap((c) => c.items.map((i) => (i.values as Record<string, { data: unknown }[]>).sku![0]!.data));
    expect(sent.sort()).toEqual(['mug_white', 'pen', 'tshirt_blue', 'tshirt_red']);
  });

  it('creates a missing option and retries the line; rejects a bad value in business words', async () => {
    erp.edit('items', 'pen', (r) => (r.fields.color = 'purple'));
    erp.item('bad', null, { name: 'Bad', weight: 'bad' });
    const r = await run();
    expect(pim.options.has('color:purple')).toBe(true);
    expect(pim.productByIdentifier('pen')).toBeDefined();
    expect(r.counts.rejected).toBe(1);
    expect(r.status).toBe('rejects');
    // The record named once, then where, then what (src/mapping/messages.ts).
    expect(r.rejects[0]!.message).toBe('SKU "bad" (attribute weight, ERP field "weight"): weight "bad" is not a number');
    const rows = await state.getRejects(r.runId!);
    expect(rows).toHaveLength(1);
    // the rejected record is retried by key on the next delta run
    erp.records.get('items:bad')!.fields.weight = '1';
    const again = await run();
    expect(again.counts.created).toBe(1);
    expect(pim.productByIdentifier('bad')).toBeDefined();
  });

  it("a mapper crash on one group rejects that group's records, in the report too, and spares the others", async () => {
    const base = fakeMapper();
    const mapper = {
      ...base,
      mapItems(items: Parameters<typeof base.mapItems>[0], groups: Parameters<typeof base.mapItems>[1]) {
        if (items[0]!.group === 'tshirt') throw new TypeError('boom');
        return base.mapItems(items, groups);
      },
    };
    const r = await run({}, { mapper });
    expect(r.status).toBe('rejects');
    expect(r.counts.rejected).toBe(2);
    expect(r.rejects.map((x) => x.key).sort()).toEqual(['tshirt_blue', 'tshirt_red']);
    expect(r.rejects[0]!.message).toContain('could not be mapped: TypeError: boom');
    expect(pim.productByIdentifier('pen')).toBeDefined();
  });

  it('an ERP row the adapter cannot read is a reject of the run: counted, in the report, in the state; the others sync', async () => {
    erp.badRows.set('items:pen', { key: 'pen', field: 'weight', message: 'weight: "abc" is not a decimal number' });
    const r = await run();
    expect(r.status).toBe('rejects');
    expect(r.counts.rejected).toBe(1);
    expect(r.rejects).toEqual([
      expect.objectContaining({ key: 'pen', attribute: 'weight', message: 'SKU pen (fake items pen): weight: "abc" is not a decimal number', fix: expect.stringContaining('ERP') }),
    ]);
    expect((await state.getRejects(r.runId!)).map((x) => x.key)).toEqual(['pen']);
    expect(pim.productByIdentifier('tshirt_red')).toBeDefined();
    expect(pim.productByIdentifier('pen')).toBeUndefined();
    // Corrected in the ERP: the next run reads it again and creates it.
    erp.badRows.clear();
    erp.edit('items', 'pen', (rec) => (rec.fields.weight = '0.02'));
    const next = await run();
    expect(next.counts.created).toBe(1);
    expect(pim.productByIdentifier('pen')).toBeDefined();
  });

  it('holds the children of a failed parent with that reason', async () => {
    pim.faults.push((lane, item) => (lane === 'product_model' && item.code === 'tshirt' ? { status: 422, message: 'Validation failed.', errors: [{ message: 'The family variant is broken' }] } : null));
    const r = await run();
    expect(r.counts.rejected).toBe(3); // the model and its two variants
    const held = r.rejects.filter((x) => x.message.includes('was not sent because'));
    expect(held).toHaveLength(2);
    expect(held[0]!.message).toContain('product_model tshirt');
    expect(pim.productByIdentifier('tshirt_red')).toBeUndefined();
    expect(pim.productByIdentifier('mug_white')).toBeDefined();
  });

  it('retries transient line failures and whole-batch failures', async () => {
    let n = 0;
    pim.faults.push((lane) => (lane === 'product' && n++ < 2 ? { status: 503, message: 'Service Unavailable' } : null));
    pim.batchErrors = 2;
    const r = await run();
    expect(r.status).toBe('succeeded');
    expect(pim.products_.size).toBe(4);
  });

  it('adopts a product that already exists in the PIM under another uuid', async () => {
    await pim.products.upsertMany([{ uuid: 'aaaaaaaa-0000-4000-8000-000000000000', values: { sku: [{ locale: null, scope: null, data: 'pen' }] } }]);
    const r = await run();
    expect(r.status).toBe('succeeded');
    expect([...pim.products_.values()].filter((p) => p.values?.sku?.[0]?.data === 'pen')).toHaveLength(1);
    expect(pim.productByIdentifier('pen')!.uuid).toBe('aaaaaaaa-0000-4000-8000-000000000000');
  });

  it("a new product's uuid is its identifier's own: a run that wrote but recorded nothing re-sends the same uuids", async () => {
    await run();
    const uuids = new Map([...pim.products_.values()].map((p) => [p.values!.sku![0]!.data, p.uuid]));
    expect(uuids.get('pen')).toBe(productUuidFor('pen'));
    // The crash window: every write landed in the PIM, none reached the state.
    const freshState = await open();
    const callsBefore = pim.calls.length;
    const again = await run({}, { state: freshState });
    expect(again.status).toBe('succeeded');
    expect(pim.products_.size).toBe(4);
    for (const p of pim.products_.values()) expect(p.uuid).toBe(uuids.get(p.values!.sku![0]!.data));
    // Upserts on the same uuids: no line was refused as a duplicate identifier and retried.
    const productLines = pim.calls.slice(callsBefore).filter((c) => c.lane === 'product').flatMap((c) => c.items);
    expect(productLines).toHaveLength(4);
  });

  it('resumes after a crash without duplicates and with the same final PIM', async () => {
    const reference = new FakePim();
    const refState = await open();
    await executeSync({ ...deps, client: reference, state: refState }, {});

    let batches = 0;
    pim.beforeBatch = (lane) => {
      if (lane === 'product' && ++batches === 1) throw Object.assign(new Error('killed'), { name: 'AkeneoAuthError' });
    };
    const crashed = await run();
    expect(crashed.status).toBe('failed');
    expect(crashed.watermarks.after.items).toBeNull();
    pim.beforeBatch = undefined;
    const resumed = await run();
    expect(resumed.status).toBe('succeeded');
    expect(pim.snapshot()).toEqual(reference.snapshot());
    const runs = await state.listRuns(10);
    expect(runs.map((x) => x.status)).toEqual(['succeeded', 'failed']);
  });

  it('a record re-read by key never moves the watermark past changes the main read did not see', async () => {
    await run();
    erp.edit('items', 'tshirt_red', (r) => (r.fields.name = 'Red 2')); // seen by the delta read
    erp.edit('items', 'pen', (r) => (r.fields.name = 'Pen 2')); // committed late: the delta read misses it
    erp.lateCommits.add('pen');
    erp.edit('items', 'tshirt_blue', (r) => (r.fields.name = 'Blue 2')); // newest; only read as a sibling
    erp.lateCommits.add('tshirt_blue');
    const r1 = await run();
    expect(pim.productByIdentifier('tshirt_blue')!.values!.name![0]!.data).toBe('Blue 2');
    expect(r1.watermarks.after.items).toBe(erp.records.get('items:tshirt_red')!.updatedAt);
    erp.lateCommits.clear();
    await run();
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen 2');
  });

  it('uploads each distinct media content once and reuses its code; unchanged media are not uploaded again', async () => {
    const base = fakeMapper();
    const mapper = {
      ...base,
      mapItems(items: Parameters<typeof base.mapItems>[0], groups: Parameters<typeof base.mapItems>[1]) {
        const res = base.mapItems(items, groups);
        res.mediaUploads = items
          .filter((i) => typeof i.fields.image === 'string')
          .map((i) => ({
            owner: { kind: 'product' as const, identifier: i.key },
            attribute: 'packshot',
            locale: null,
            scope: null,
            source: String(i.fields.image),
            origin: { stream: 'items' as const, key: i.key, updatedAt: i.updatedAt },
          }));
        return res;
      },
    };
    const files: Record<string, string> = { 'a.jpg': 'same bytes', 'b.jpg': 'same bytes', 'c.jpg': 'other bytes' };
    const reads: string[] = [];
    const readMedia = async (source: string) => {
      reads.push(source);
      return { content: Buffer.from(files[source]!), filename: source };
    };
    erp.edit('items', 'pen', (r) => (r.fields.image = 'a.jpg'));
    erp.edit('items', 'mug_white', (r) => (r.fields.image = 'b.jpg'));
    erp.edit('items', 'tshirt_red', (r) => (r.fields.image = 'c.jpg'));
    // A dry run reads no file and settles every record.
    const dry = await run({ dryRun: true }, { mapper, readMedia });
    expect(dry.status).toBe('succeeded');
    expect(reads).toHaveLength(0);
    expect(pim.media.size).toBe(0);
    const r = await run({}, { mapper, readMedia });
    expect(r.status, JSON.stringify(r.rejects)).toBe('succeeded');
    expect(pim.media.size).toBe(2); // a.jpg and b.jpg share their content
    const code = (sku: string) => pim.productByIdentifier(sku)!.values!.packshot?.[0]?.data;
    // The fake PIM's upload does not set the value; the owner that reused the code got it by PATCH.
    const patched = [code('pen'), code('mug_white')].filter(Boolean);
    expect(patched).toHaveLength(1);
    expect(pim.media.has(String(patched[0]))).toBe(true);
    const before = pim.media.size;
    const callsBefore = pim.calls.length;
    reads.length = 0;
    const again = await run({ full: true }, { mapper: { ...mapper }, readMedia });
    expect(pim.media.size).toBe(before);
    // Every value already points at its content's code: no PATCH either, and nothing changed.
    expect(pim.calls.length).toBe(callsBefore);
    expect(again.counts.updated).toBe(0);
  });

  it('dry run writes nothing and lists payloads for --keys', async () => {
    const r = await run({ dryRun: true, keys: ['pen'] });
    expect(pim.calls).toHaveLength(0);
    expect(r.plan!.actions.product!.create).toBe(1);
    expect(r.plan!.payloads![0]!.payload).toMatchObject({ values: { sku: [{ data: 'pen' }] } });
    expect(await state.countEntities()).toBe(0);
  });

  it('--category selects the items under a category subtree; items outside are not records of the run, group siblings are', async () => {
    erp.item('only_b', null, { name: 'B thing', weight: '1' }, { categories: ['cat_b'] });
    erp.item('other', null, { name: 'Other', weight: '1' }, { categories: ['elsewhere'] });
    erp.put({ stream: 'groups', key: 'lamp', fields: { description: 'A lamp' } });
    erp.item('lamp_in', 'lamp', { name: 'Lamp in', weight: '1', color: 'red' }, { categories: ['cat_b'] });
    erp.item('lamp_out', 'lamp', { name: 'Lamp out', weight: '1', color: 'blue' }, { categories: ['elsewhere'] });
    const r = await run({ category: 'cat_a' });
    expect(r.mode).toBe('category');
    expect(pim.productByIdentifier('only_b')).toBeDefined();
    expect(pim.productByIdentifier('other')).toBeUndefined();
    // The group is mapped whole: its item outside the category is read as a sibling.
    expect(pim.productByIdentifier('lamp_out')!.parent).toBe('lamp');
    // Read: 3 categories, 7 items (4 under cat_a, only_b, lamp_in and its sibling), 3 groups; 'other' is not counted.
    expect(r.counts.read).toBe(13);
    expect(r.byType.product.read).toBe(7);
    expect(r.scope).toMatchObject({ outsideCategory: 1 });
    const outcomes = await state.getRunRecords(r.runId!);
    expect(outcomes.some((o) => o.key === 'other')).toBe(false);
  });

  it('--keys: the keys the ERP lacks are reported, not counted', async () => {
    const r = await run({ keys: ['pen', 'nope'] });
    expect(r.counts.read).toBe(1);
    expect(r.counts.created).toBe(1);
    expect(r.scope).toMatchObject({ keysNotFound: ['nope'], keysNotFoundTotal: 1 });
  });

  it('verify reports drift on ERP-owned values and repairs it', async () => {
    await run();
    const p = pim.productByIdentifier('pen')!;
    p.values!.name = [{ locale: 'en_US', scope: null, data: 'Changed in the PIM' }];
    p.values!.marketing = [{ locale: 'en_US', scope: null, data: 'Julia wrote this' }];
    const check = await run({ verify: true });
    expect(check.verify!.drift).toBe(1);
    expect(check.verify!.items[0]).toMatchObject({ code: 'pen', key: 'name|en_US|' });
    const fix = await run({ verify: true, repair: true });
    expect(fix.verify!.repaired).toBe(1);
    expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen');
    expect(pim.productByIdentifier('pen')!.values!.marketing![0]!.data).toBe('Julia wrote this');
  });

  it('refuses a second concurrent run and recovers a dead lock', async () => {
    await state.acquireLock('test', 'otherhost:1:x', 60_000);
    const r = await run();
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/another sync run/);
    const r2 = await run({ lockTimeoutMs: 0 });
    expect(r2.status).toBe('succeeded');
  });
});
