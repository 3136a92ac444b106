/** `ferry pim bootstrap --plan`: the plan for review in CI or a script, through a pipe, exit 0, nothing written. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

describe('ferry pim bootstrap --plan', () => {
  let sb: RunningSandbox;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-bootstrap-plan-'));
    sb = await startSandbox({ catalog: 'demo' });
    config = join(dir, 'ferry.yaml');
    writeFileSync(
      config,
      [
        `pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
        'erp: { type: demo, path: demo.sqlite, items: 30, seed: 3 }',
        'mapping:',
        '  preset: demo',
        '  structure:',
        '    families:',
        '      definitions:',
        '        erp_product:',
        '          variants:',
        '            erp_product_brand:',
        '              levels: [{ axes: [brand], attributes: [ean, not_in_family] }]',
        '',
      ].join('\n'),
    );
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the plan as JSON through a pipe and exits 0, writing nothing; says what it left out and why', async () => {
    const r = await ferry(['pim', 'bootstrap', '--plan', '--format', 'json', '--config', config], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { applied: boolean; plan: { attributeGroups: { code: string }[]; familyVariants: { code: string }[]; notes: string[] } };
    expect(out.applied).toBe(false);
    expect(out.plan.attributeGroups.map((g) => g.code)).toEqual(['erp']);
    expect(out.plan.familyVariants.map((f) => f.code)).toContain('erp_product_brand');
    expect(out.plan.notes.some((n) => n.includes('not_in_family') && n.includes('left out'))).toBe(true);
    const text = await ferry(['pim', 'bootstrap', '--plan', '--config', config], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('+ attribute group erp "ERP data"');
    expect(text.stdout).toContain('note: family variant erp_product_brand: not_in_family not in family erp_product; left out');
    // Nothing was written: the plan is the same the second time.
    const again = await ferry(['pim', 'bootstrap', '--plan', '--format', 'json', '--config', config], dir);
    expect(JSON.parse(again.stdout)).toEqual(out);
  });

  it('without --plan or --yes and no terminal: the plan, then exit 1 saying how to apply it; --yes applies', async () => {
    const asked = await ferry(['pim', 'bootstrap', '--format', 'json', '--config', config], dir);
    expect(asked.code).toBe(1);
    expect((JSON.parse(asked.stdout) as { applied: boolean }).applied).toBe(false);
    expect(asked.stderr).toContain('--yes');
    expect((await ferry(['pim', 'bootstrap', '--plan', '--yes', '--config', config], dir)).code).toBe(1);
    const applied = await ferry(['pim', 'bootstrap', '--yes', '--format', 'json', '--config', config], dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as { applied: boolean }).applied).toBe(true);
    const after = await ferry(['pim', 'bootstrap', '--plan', '--config', config], dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('nothing to create');
  });
});
