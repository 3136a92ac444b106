/**
 * `ferry sync --dry-run` changes nothing (no state file, no PIM write) and flags what the PIM
 * would refuse — here a product model whose family variant the mapping now changes: the dry
 * run lists the steps that move it instead.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAkeneoClient } from '../../src/akeneo/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

describe('a dry run that changes nothing', () => {
  let sb: RunningSandbox;
  let dir: string;
  const yaml = (extra: string[] = []) =>
    [
      `pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
      'erp:',
      '  type: files',
      '  folder: drop',
      '  moveAfterRead: false',
      '  streams: { items: { key: sku, group: model } }',
      'mapping:',
      '  preset: demo',
      ...extra,
      '',
    ].join('\n');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-dry-run-'));
    sb = await startSandbox({ catalog: 'demo' });
    mkdirSync(join(dir, 'drop'));
    // Each model's items differ in colour only: the colour family variant fits them.
    writeFileSync(join(dir, 'drop', 'items.csv'), ['sku,model,name,color,size', 'A-1,M1,Shirt,red,S', 'A-2,M1,Shirt,blue,S', 'B-1,M2,Sock,red,M', 'B-2,M2,Sock,green,M', ''].join('\n'));
    writeFileSync(join(dir, 'ferry.yaml'), yaml());
    const boot = await ferry(['pim', 'bootstrap', '--yes'], dir);
    expect(boot.code, boot.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a fresh folder: no state file, no data folder, nothing in the PIM', async () => {
    const before = readdirSync(dir).sort();
    const r = await ferry(['sync', '--dry-run', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; counts: { created: number } };
    expect(out.status).toBe('succeeded');
    expect(out.counts.created).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const client = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    try {
      let n = 0;
      for await (const _ of client.products.list({ limit: 100 })) n++;
      expect(n).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('lists the steps of a family-variant change of an existing model instead of approving an update the PIM refuses', async () => {
    // Items that differ in colour and in size: the colour family variant is chosen (fewest axes),
    // and the size one would fit them too.
    writeFileSync(join(dir, 'drop', 'items.csv'), ['sku,model,name,color,size', 'A-1,M1,Shirt,red,S', 'A-2,M1,Shirt,blue,M', 'B-1,M2,Sock,red,S', 'B-2,M2,Sock,green,L', ''].join('\n'));
    const first = await ferry(['sync', '--json'], dir);
    expect([0, 2], first.stderr).toContain(first.code); // 2: sizes differ on a colour model (partial)
    const created = JSON.parse(first.stdout) as { counts: { created: number } };
    expect(created.counts.created).toBeGreaterThan(0);
    const models = await ferry(['runs', 'show', '1', '--json'], dir);
    expect(models.code).toBe(0);
    // The mapping now asks for the size-only family variant: a change the PIM refuses on existing models.
    writeFileSync(join(dir, 'ferry.yaml'), yaml(['  structure:', '    variants:', '      familyVariant: { erp_product: erp_product_size }']));
    // (an update the PIM would refuse, Property "family_variant" cannot be modified: the dry run
    // shows the steps that move the model instead, see family-variant-change-e2e.test.ts)
    const dry = await ferry(['sync', '--dry-run', '--full'], dir);
    expect([0, 2], dry.stdout + dry.stderr).toContain(dry.code);
    expect(dry.stdout).not.toContain('update product_model');
    expect(dry.stdout).toMatch(/product model m1: family variant erp_product_color → erp_product_size, would move \(dry run: nothing written\)/i);
    expect(dry.stdout).toMatch(/3\. Delete product model m1 \(it is empty by then\)\. This is the destructive step\./i);
  });
});
