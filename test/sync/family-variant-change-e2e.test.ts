/**
 * Moving a product model to another family variant, end to end through `ferry sync` against the
 * sandbox: the first sync creates model M1 under erp_product_color (one level, axis color) with
 * two variants; Julia enriches a variant-level attribute on the variants and a PIM-owned one on
 * the model; the mapping then asks for erp_product_color_size (two levels: color, then size).
 * Without --yes the run refuses and says how to go on; --dry-run lists every step and changes
 * nothing; with --yes the model ends under the new family variant with its sub-models, every
 * variant attached, Julia's values kept; a second sync writes nothing. Run on uuid endpoints
 * (SaaS) and identifier endpoints (6.0).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';
import { pimSnapshot } from './support/pim.js';
import { tempDirs } from './support/e2e.js';

const tempDir = tempDirs('ferry-fv-change-');
const HIGHLIGHT = { marketing_highlight: [{ locale: null, scope: null, data: true }] };
const TITLE = { marketing_title: [{ locale: 'en_US', scope: null, data: 'Julia’s shirt title' }] };

interface Json {
  status: string;
  counts: { created: number; updated: number; rejected: number };
  requests: { writes: number };
  rejects?: { label: string; message: string; fix: string }[];
  familyVariantChanges?: { model: string; from: string; to: string; status: string; steps: string[] }[];
}

describe.each([
  { label: 'uuid endpoints (SaaS)', version: undefined },
  { label: 'identifier endpoints (6.0)', version: '6.0' },
])('a family-variant change on $label', ({ version }) => {
  let sb: RunningSandbox;
  let dir: string;
  let pim: AkeneoClient;
  const yaml = (familyVariant: string) =>
    [
      `pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
      'erp:',
      '  type: files',
      '  folder: drop',
      '  moveAfterRead: false',
      '  streams: { items: { key: sku, group: model } }',
      'mapping:',
      '  preset: demo',
      '  structure:',
      '    variants:',
      `      familyVariant: { erp_product: ${familyVariant} }`,
      '',
    ].join('\n');
  const product = async (sku: string) => {
    for await (const p of pim.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) })) return p;
    throw new Error(`${sku} not in the PIM`);
  };
  const json = (stdout: string) => JSON.parse(stdout) as Json;

  beforeAll(async () => {
    dir = tempDir();
    sb = await startSandbox({ catalog: 'demo', ...(version ? { edition: 'ce', version } : {}) });
    pim = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    mkdirSync(join(dir, 'drop'));
    // One model, two colours of one size: both family variants fit it.
    writeFileSync(join(dir, 'drop', 'items.csv'), ['sku,model,name,color,size,ean', 'A-1,M1,Shirt,red,m,4000000000011', 'A-2,M1,Shirt,blue,m,4000000000028', ''].join('\n'));
    writeFileSync(join(dir, 'ferry.yaml'), yaml('erp_product_color'));
    const boot = await ferry(['pim', 'bootstrap', '--yes'], dir);
    expect(boot.code, boot.stdout + boot.stderr).toBe(0);
    // The PIM's admin makes a marketing attribute a variant-level one in both family variants.
    for (const code of ['erp_product_color', 'erp_product_color_size']) {
      const fv = await pim.familyVariants('erp_product').get(code);
      const sets = fv.variant_attribute_sets.map((s, i, all) => (i === all.length - 1 ? { ...s, attributes: [...s.attributes, 'marketing_highlight'] } : s));
      await pim.familyVariants('erp_product').upsert({ ...fv, variant_attribute_sets: sets });
    }
  }, 180_000);
  afterAll(async () => {
    await pim?.close();
    await sb?.close();
  });

  it('refuses without --yes, lists the steps in a dry run, moves the model with --yes keeping Julia’s values', async () => {
    const first = await ferry(['sync', '--json'], dir);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect((await pim.productModels.get('M1')).family_variant).toBe('erp_product_color');

    // Julia enriches the variants (variant level) and the model (a PIM-owned attribute).
    for (const sku of ['A-1', 'A-2']) {
      const p = await product(sku);
      await pim.products.upsert(version ? { identifier: sku, values: HIGHLIGHT } : { uuid: p.uuid, values: HIGHLIGHT });
    }
    await pim.productModels.upsert({ code: 'M1', family_variant: 'erp_product_color', values: TITLE });
    expect((await product('A-1')).values?.marketing_highlight?.[0]?.data).toBe(true);
    const before = await pimSnapshot(pim);

    // The mapping now wants two levels: colour, then size.
    writeFileSync(join(dir, 'ferry.yaml'), yaml('erp_product_color_size'));
    const refused = await ferry(['sync', '--json'], dir);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    const r = json(refused.stdout);
    const reject = r.rejects?.find((x) => x.label === 'M1');
    expect(reject?.message).toContain('must move from family variant erp_product_color to erp_product_color_size');
    expect(reject?.fix).toContain('ferry sync --yes');
    expect(r.familyVariantChanges?.[0]).toMatchObject({ model: 'M1', status: 'refused' });
    expect(await pimSnapshot(pim)).toEqual(before);

    const dry = await ferry(['sync', '--dry-run'], dir);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain('product model M1: family variant erp_product_color → erp_product_color_size, would move (dry run: nothing written)');
    for (const step of ['1. Read product model M1', '2. Turn these 2 products into simple products', '3. Delete product model M1', '4. Create product model M1 under family variant erp_product_color_size', '5. Attach each product again']) {
      expect(dry.stdout).toContain(step);
    }
    expect(dry.stdout).toContain('keep the PIM values Ferry does not own on the model: marketing_title');
    expect(await pimSnapshot(pim)).toEqual(before);

    const done = await ferry(['sync', '--yes', '--json'], dir);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const d = json(done.stdout);
    expect(d.status).toBe('succeeded');
    expect(d.familyVariantChanges?.[0]).toMatchObject({ model: 'M1', from: 'erp_product_color', to: 'erp_product_color_size', status: 'done' });
    expect(d.familyVariantChanges?.[0]?.steps).toHaveLength(5);

    const model = await pim.productModels.get('M1');
    expect(model.family_variant).toBe('erp_product_color_size');
    expect(model.values?.marketing_title).toEqual(TITLE.marketing_title);
    expect(model.values?.name).toBeDefined();
    for (const [sku, color] of [['A-1', 'red'], ['A-2', 'blue']] as const) {
      const p = await product(sku);
      const sub = await pim.productModels.get(p.parent!);
      expect(sub.parent).toBe('M1');
      expect(String(sub.values?.color?.[0]?.data).toLowerCase()).toBe(color);
      expect(p.values?.marketing_highlight?.[0]?.data).toBe(true);
      expect(p.values?.marketing_title).toEqual(TITLE.marketing_title);
      expect(String(p.values?.size?.[0]?.data).toLowerCase()).toBe('m');
      expect(p.values?.ean?.[0]?.data).toBeDefined();
    }

    const again = await ferry(['sync', '--json'], dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const a = json(again.stdout);
    expect(a.requests.writes).toBe(0);
    expect(a.familyVariantChanges).toBeUndefined();
  }, 240_000);
});

describe('a family-variant change on a PIM before 6.0', () => {
  it('is refused before anything is written: no product-model delete through the API', async () => {
    const dir = tempDir();
    const sb = await startSandbox({ catalog: 'demo', edition: 'ce', version: '5.0' });
    const pim = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    const yaml = (fv: string) =>
      [
        `pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
        'erp: { type: files, folder: drop, moveAfterRead: false, streams: { items: { key: sku, group: model } } }',
        `mapping: { preset: demo, structure: { variants: { familyVariant: { erp_product: ${fv} } } } }`,
        '',
      ].join('\n');
    try {
      mkdirSync(join(dir, 'drop'));
      writeFileSync(join(dir, 'drop', 'items.csv'), ['sku,model,name,color,size', 'A-1,M1,Shirt,red,m', 'A-2,M1,Shirt,blue,m', ''].join('\n'));
      writeFileSync(join(dir, 'ferry.yaml'), yaml('erp_product_color'));
      expect((await ferry(['pim', 'bootstrap', '--yes'], dir)).code).toBe(0);
      const first = await ferry(['sync', '--json'], dir);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const before = await pimSnapshot(pim);
      writeFileSync(join(dir, 'ferry.yaml'), yaml('erp_product_color_size'));
      const r = await ferry(['sync', '--yes', '--json'], dir);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const out = JSON.parse(r.stdout) as Json;
      expect(out.rejects?.find((x) => x.label === 'M1')?.message).toContain('cannot delete a product model through its API (Akeneo 6.0+)');
      expect(out.familyVariantChanges?.[0]?.status).toBe('refused');
      expect(await pimSnapshot(pim)).toEqual(before);
    } finally {
      await pim.close();
      await sb.close();
    }
  }, 180_000);
});
