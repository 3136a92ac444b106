/**
 * `ferry check`, the command a user runs, against a CE and an EE sandbox (issue 19): a mapping to a
 * reference entity or to assets is refused on CE with the reason and the fix, exit code 1; the same
 * mapping is not refused for the edition on EE.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tempDir = tempDirs('ferry-editions-check-');
const sandboxes: Record<'ce' | 'ee', RunningSandbox> = {} as never;

beforeAll(async () => {
  sandboxes.ce = await startSandbox({ catalog: 'demo', edition: 'ce', version: '6.0' });
  sandboxes.ee = await startSandbox({ catalog: 'demo', edition: 'ee', version: '6.0' });
});
afterAll(async () => {
  for (const sb of Object.values(sandboxes)) await sb.close();
});

async function ferryCheck(sb: RunningSandbox): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = tempDir();
  const config = {
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 20, seed: 3 },
    mapping: {
      preset: 'demo',
      attributes: { brand_entity: { from: 'brand', type: 'reference_entity', referenceEntity: 'brands' }, pictures: { from: 'brand', type: 'asset_collection' } },
    },
    state: { path: join(dir, 'ferry.db') },
  };
  // JSON is YAML: the config file as a user would write it.
  writeFileSync(join(dir, 'ferry.yaml'), JSON.stringify(config, null, 2));
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'check', '--config', join(dir, 'ferry.yaml'), '--format', 'json', '--no-records'], { cwd: repo }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

interface Problem {
  severity: string;
  code: string;
  attribute?: string;
  erpField?: string;
  message: string;
  fix: string;
}

describe('ferry check per edition', () => {
  it('CE 6.0: reference entity and asset mappings are refused with the reason and the fix; exit 1', async () => {
    const r = await ferryCheck(sandboxes.ce);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Problem[] };
    expect(out.ok).toBe(false);
    const refused = out.problems.filter((p) => p.code === 'edition_unsupported');
    expect(refused.map((p) => p.attribute).sort()).toEqual(['brand_entity', 'pictures']);
    const brand = refused.find((p) => p.attribute === 'brand_entity')!;
    expect(brand).toMatchObject({ severity: 'error', erpField: 'brand' });
    expect(brand.message).toMatch(/^attribute brand_entity is mapped as reference_entity, but this PIM is Akeneo Community Edition 6\.0\.\d+, which has no reference entities/);
    expect(brand.fix).toMatch(/simple or multi select/);
    const pictures = refused.find((p) => p.attribute === 'pictures')!;
    expect(pictures.message).toMatch(/no assets \(the Asset Manager\)/);
    expect(pictures.fix).toMatch(/image or file attribute/);
  }, 60_000);

  it('EE 6.0: the same mapping is not refused for the edition', async () => {
    const r = await ferryCheck(sandboxes.ee);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Problem[] };
    expect(out.problems.filter((p) => p.code === 'edition_unsupported')).toEqual([]);
  }, 60_000);
});
