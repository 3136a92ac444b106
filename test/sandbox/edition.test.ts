/**
 * The sandbox's editions (issue 19): option and flag validation, the route list each edition
 * answers, the catalog as an edition holds it, the banner, and the differences table kept in
 * step with the docs. The exact answers per difference are edition-cases.json's job.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sandboxOptionsFromFlags, startBanner } from '../../src/cli/commands/sandbox.js';
import { adaptStructure, EDITION_DIFFERENCES, editionProfile } from '../../src/sandbox/edition.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SandboxStore } from '../../src/sandbox/store.js';

const repo = path.resolve(import.meta.dirname, '../..');
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: repo }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

async function routesOf(sb: RunningSandbox): Promise<string[]> {
  const r = await fetch(`${sb.url}/api/rest/v1`);
  const body = (await r.json()) as { routes: Record<string, { route: string; methods: string[] }> };
  return Object.values(body.routes).map((x) => `${x.methods.join(',')} ${x.route}`);
}

describe('edition profiles', () => {
  it('defaults to SaaS; ce and ee default to 7.0; bad values are refused with the fix', () => {
    expect(editionProfile().label).toBe('SaaS');
    expect(editionProfile('CE').label).toBe('CE 7.0');
    expect(editionProfile('ee', '5.0')).toMatchObject({ label: 'EE 5.0', systemInformation: null, uuidProducts: false });
    expect(() => editionProfile('pe')).toThrow(/Unknown edition "pe": use one of ce, ee, saas/);
    expect(() => editionProfile('ce', '4.0')).toThrow(/Unknown version "4.0" for CE: use one of 5.0, 6.0, 7.0/);
    expect(() => editionProfile('saas', '6.0')).toThrow(/SaaS has no version/);
  });

  it('flags: --edition/--version reach the options; a bad pair is a UserError naming the fix', () => {
    expect(sandboxOptionsFromFlags({ edition: 'CE', version: '6.0' })).toMatchObject({ edition: 'ce', version: '6.0' });
    expect(() => sandboxOptionsFromFlags({ edition: 'saas', version: '7.0' })).toThrow(/SaaS has no version/);
    expect(() => sandboxOptionsFromFlags({ edition: 'ce', version: '8' })).toThrow(/use one of 5.0, 6.0, 7.0/);
  });

  it('`ferry sandbox --version X` reaches the sandbox (not the program\'s --version); `ferry --version` still prints Ferry\'s', async () => {
    const bad = await cli(['sandbox', '--edition', 'ce', '--version', '8.0', '--port', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown version "8.0" for CE: use one of 5.0, 6.0, 7.0/);
    const own = await cli(['--version']);
    expect(own.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);

  it('on CE the catalog loses read-only flags, Enterprise attribute types and EE entities', () => {
    const store = new SandboxStore();
    const snapshot = {
      ...store.snapshotStructure(),
      attributes: [
        { code: 'sku', type: 'pim_catalog_identifier', group: 'other' },
        { code: 'erp_name', type: 'pim_catalog_text', group: 'erp', is_read_only: true },
        { code: 'brand', type: 'akeneo_reference_entity', group: 'other', reference_data_name: 'brands' },
      ],
      families: [{ code: 'f', attributes: ['sku', 'erp_name', 'brand'], attribute_as_label: 'sku' }],
      referenceEntities: [{ code: 'brands' }],
    } as never;
    const ce = adaptStructure(snapshot, editionProfile('ce', '6.0'));
    expect(ce.attributes).toEqual([
      { code: 'sku', type: 'pim_catalog_identifier', group: 'other' },
      { code: 'erp_name', type: 'pim_catalog_text', group: 'erp' },
    ]);
    expect(ce.families[0]!.attributes).toEqual(['sku', 'erp_name']);
    expect(ce.referenceEntities).toEqual([]);
    expect(adaptStructure(snapshot, editionProfile('ee', '7.0'))).toEqual(snapshot);
  });
});

describe('products without identifier', () => {
  it('a catalog product without identifier loads on 7.0 and SaaS, and is refused with the reason before 7.0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-edition-catalog-'));
    try {
      cpSync(path.join(repo, 'catalogs', 'demo'), dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'products.ndjson'),
        [
          JSON.stringify({ uuid: '5b0e8d5e-3c43-4b37-9a38-0a0a0a0a0a01', values: { sku: [{ locale: null, scope: null, data: 'WITH-SKU' }] } }),
          JSON.stringify({ uuid: '5b0e8d5e-3c43-4b37-9a38-0a0a0a0a0a02', values: {} }),
        ].join('\n'),
      );
      for (const [edition, version, loaded] of [['ce', '6.0', 1], ['ce', '7.0', 2], ['saas', undefined, 2]] as const) {
        const sb = await startSandbox({ catalog: dir, edition, ...(version ? { version } : {}) });
        try {
          expect(sb.catalogReport.products, `${edition} ${version ?? ''}`).toEqual({ loaded, failed: 2 - loaded });
          if (loaded === 1) expect(sb.catalogReport.errors[0]!.message).toBe('CE 6.0 has no products without identifier (they came with the uuid products of 7.0).');
        } finally {
          await sb.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the API root lists what the edition has', () => {
  it('CE 6.0: no products-uuid, no EE routes; SaaS: all of them', async () => {
    const ce = await startSandbox({ catalog: 'empty', edition: 'ce', version: '6.0' });
    const saas = await startSandbox({ catalog: 'empty' });
    try {
      const ceRoutes = await routesOf(ce);
      expect(ceRoutes.filter((r) => /products-uuid|reference-entities|asset-/.test(r))).toEqual([]);
      expect(ceRoutes).toContain('GET /api/rest/v1/system-information');
      expect(ceRoutes).toContain('PATCH /api/rest/v1/products');
      const saasRoutes = await routesOf(saas);
      for (const r of ['PATCH /api/rest/v1/products-uuid', 'POST /api/rest/v1/products-uuid/search', 'GET /api/rest/v1/reference-entities', 'GET /api/rest/v1/asset-families']) {
        expect(saasRoutes).toContain(r);
      }
      expect(startBanner(ce, { edition: 'ce', version: '6.0' })).toContain('answers as: CE 6.0 (identifier product endpoints only; system-information CE 6.0.28; no reference entities or assets, no read-only attributes)');
      expect(startBanner(saas, {})).toContain('answers as: SaaS (uuid and identifier product endpoints; system-information Serenity v20230112013744');
    } finally {
      await ce.close();
      await saas.close();
    }
  });

  it('an unknown edition fails startSandbox with the fix', async () => {
    await expect(startSandbox({ catalog: 'empty', edition: 'community' })).rejects.toThrow(/Unknown edition "community"/);
  });
});

describe('the differences table', () => {
  it('each difference names its source, and docs/editions.md lists every one', () => {
    const doc = readFileSync(new URL('../../docs/editions.md', import.meta.url), 'utf8');
    for (const d of EDITION_DIFFERENCES) {
      expect(d.source.length, d.what).toBeGreaterThan(20);
      expect(doc, d.what).toContain(d.what);
    }
  });
});
