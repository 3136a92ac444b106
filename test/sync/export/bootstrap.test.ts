/**
 * The export's status attributes on each edition (src/sync/export/bootstrap.ts): on EE and SaaS
 * erp_message and erp_id are created read-only (Ferry writes them) and erp_status is not (Julia
 * sets it); on the CE, which has no read-only attributes, they are created editable and the plan
 * says why in a note.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../../src/akeneo/index.js';
import { exportConfigSchema } from '../../../src/mapping/export/config.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { applyStatusAttributes, describeStatusPlan, planStatusAttributes } from '../../../src/sync/export/bootstrap.js';

const config = exportConfigSchema.parse({ fields: { name: { attribute: 'marketing_title', locale: 'en_US' } } });
let sb: RunningSandbox | null = null;
let client: AkeneoClient | null = null;

async function pim(edition: string, version?: string): Promise<AkeneoClient> {
  sb = await startSandbox({ catalog: 'demo', edition, ...(version ? { version } : {}) });
  client = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password }, timeoutMs: 3000 });
  return client;
}

afterEach(async () => {
  await client?.close();
  await sb?.close();
  client = null;
  sb = null;
});

describe('status attributes by edition', () => {
  it.each([
    ['ee', '7.0'],
    ['saas', undefined],
  ])('%s: erp_message and erp_id are created read-only, erp_status is not; an editable erp_id left by an earlier bootstrap is made read-only', async (edition, version) => {
    const c = await pim(edition, version);
    // An earlier Ferry made erp_id editable.
    await c.attributeGroups.upsert({ code: 'erp_exchange', labels: { en_US: 'ERP exchange' } } as never);
    await c.attributes.upsert({ code: 'erp_id', type: 'pim_catalog_text', group: 'erp_exchange', localizable: false, scopable: false } as never);
    const plan = await planStatusAttributes(c, config);
    expect(plan.notes).toEqual([]);
    expect(Object.fromEntries(plan.attributes.map((a) => [a.code, a.is_read_only === true]))).toEqual({ erp_status: false, erp_message: true });
    expect(plan.makeReadOnly.map((a) => a.code)).toEqual(['erp_id']);
    expect(describeStatusPlan(plan)).toEqual(expect.arrayContaining(['  attribute erp_message (text, export status, read-only)', '  attribute erp_id: made read-only (Ferry writes it)']));
    const applied = await applyStatusAttributes(c, plan);
    expect(applied.failures).toEqual([]);
    expect((await c.attributes.get('erp_message')).is_read_only).toBe(true);
    expect((await c.attributes.get('erp_id')).is_read_only).toBe(true);
    expect((await c.attributes.get('erp_status')).is_read_only ?? false).toBe(false);
    // Ferry (the API) still writes them: read-only is for people in the PIM's UI.
    const again = await planStatusAttributes(c, config);
    expect(describeStatusPlan(again)).toEqual([]);
  });

  it('CE: created editable, with a note that says why and what keeps them right', async () => {
    const c = await pim('ce', '7.0');
    const plan = await planStatusAttributes(c, config);
    expect(plan.attributes.some((a) => a.is_read_only)).toBe(false);
    expect(plan.makeReadOnly).toEqual([]);
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toMatch(/erp_message and erp_id: editable, not read-only — this PIM is Akeneo Community Edition.*Enterprise Edition and SaaS only/);
    const applied = await applyStatusAttributes(c, plan);
    expect(applied.failures).toEqual([]);
    expect((await c.attributes.get('erp_message')).type).toBe('pim_catalog_text');
    // Nothing left to do, and the note stays (it is about the edition, not the plan).
    const again = await planStatusAttributes(c, config);
    expect(describeStatusPlan(again)).toEqual([]);
    expect(again.notes).toHaveLength(1);
  });
});
