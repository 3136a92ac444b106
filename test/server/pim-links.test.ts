/**
 * The Console's links to products in the PIM per Akeneo version (issue 19): from 7.0 a product's
 * page is `#/enrich/product/{uuid}`; before 7.0 it opens by an internal id the API does not give,
 * so a product written through the identifier endpoints gets no link but a note saying how to find it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runRecordsPageSchema, type RunRecord } from '../../src/server/api/contract.js';
import { tempDirs } from '../sync/support/e2e.js';
import { runThroughApi, startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-console-links-');
const consoles: TestConsole[] = [];
afterAll(async () => {
  for (const tc of consoles) await tc.close();
});

async function productRecordsOn(version: '6.0' | '7.0'): Promise<{ tc: TestConsole; products: RunRecord[] }> {
  const tc = await startTestConsole(tempDir(), { sandbox: { edition: 'ce', version } });
  consoles.push(tc);
  const { runId } = await runThroughApi(tc, { mode: 'full' });
  const res = await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/records?pageSize=500`, headers: tc.as.viewer.headers });
  expect(res.statusCode, res.body).toBe(200);
  const products = runRecordsPageSchema.parse(res.json()).items.filter((r) => r.entityType === 'product' && r.outcome === 'created');
  expect(products.length).toBeGreaterThan(10);
  return { tc, products };
}

describe('PIM links per version', () => {
  it('CE 6.0 (identifier endpoints): no link, a note naming the SKU to search for in the product grid', async () => {
    const { products } = await productRecordsOn('6.0');
    for (const r of products) {
      expect(r.pimLink, r.key).toBeNull();
      expect(r.pimLinkNote, r.key).toMatch(/^No link: this PIM is addressed through its identifier endpoints \(Akeneo before 7\.0\)/);
      expect(r.pimLinkNote, r.key).toContain(`Search for ${r.key} in the PIM's product grid.`);
    }
  }, 120_000);

  it('CE 7.0 (uuid endpoints): the product page by uuid, no note', async () => {
    const { tc, products } = await productRecordsOn('7.0');
    for (const r of products) {
      expect(r.pimLink, r.key).toMatch(new RegExp(`^${tc.sb.url}/#/enrich/product/[0-9a-f-]{36}$`));
      expect(r.pimLinkNote, r.key).toBeNull();
    }
  }, 120_000);
});
