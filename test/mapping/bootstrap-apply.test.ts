/**
 * applyBootstrap against the sandbox: a failed item stops its dependents with one message naming
 * the cause (not one error per dependent, as in issue 16: attributes refused, then the family, then
 * every family variant).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { applyBootstrap, describeFailure, type BootstrapPlan } from '../../src/mapping/bootstrap.js';

const emptyPlan = (): BootstrapPlan => ({ locales: [], channels: [], indistinguishable: [], inferredVariants: {}, attributeGroups: [], attributes: [], options: [], families: [], familyVariants: [], categories: [], notes: [], readOnly: false });

describe('applyBootstrap: a failure names what it stopped', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let client: AkeneoClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ catalog: 'empty' });
    client = createAkeneoClient({ url: sandbox.url, auth: { kind: 'connection', clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password } });
  });
  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('a refused attribute stops its options, the family and its family variants: one failure', async () => {
    const plan = emptyPlan();
    plan.attributes = [
      { code: 'color', type: 'pim_catalog_simpleselect', group: 'other', labels: { en_US: 'Colour' } },
      // Refused: a metric attribute in a measurement family that does not exist.
      { code: 'weight', type: 'pim_catalog_metric', group: 'other', metric_family: 'NoSuchFamily', default_metric_unit: 'KILOGRAM', decimals_allowed: true, negative_allowed: false },
    ];
    plan.options = [{ code: 'red', attribute: 'color', labels: { en_US: 'Red' } }];
    plan.families = [{ family: { code: 'shirt', attribute_as_label: 'sku', attributes: ['sku', 'color', 'weight'] }, existing: false, added: ['sku', 'color', 'weight'] }];
    plan.familyVariants = [
      { code: 'shirt_by_color', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['weight'] }] },
      { code: 'shirt_by_color_b', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: [] }] },
    ];
    const result = await applyBootstrap(plan, client);
    expect(result.failures).toHaveLength(1);
    const [f] = result.failures;
    expect(f).toMatchObject({ kind: 'attribute', code: 'weight', stopped: ['family shirt', 'family variant shirt_by_color', 'family variant shirt_by_color_b'] });
    expect(describeFailure(f!)).toMatch(/^attribute weight: .+ \(so not attempted: family shirt, family variant shirt_by_color, family variant shirt_by_color_b\)$/);
    // What does not depend on it still went.
    expect(result.created.attribute).toBe(1);
    expect(result.created.option).toBe(1);
  });

  it('activates a locale by adding it to the channel, as Akeneo does; labels in it are then accepted', async () => {
    const plan = emptyPlan();
    plan.locales = [{ language: 'fr', locale: 'fr_FR' }];
    const channel = await client.channels.get('ecommerce');
    plan.channels = [{ ...channel, locales: [...channel.locales, 'fr_FR'] }];
    plan.attributeGroups = [{ code: 'erp', labels: { en_US: 'ERP data', fr_FR: 'Données ERP' } }];
    const before = await client.locales.get('fr_FR');
    expect(before).toEqual({ code: 'fr_FR', enabled: false });
    const result = await applyBootstrap(plan, client);
    expect(result.failures).toEqual([]);
    expect(result.updated.channel).toBe(1);
    expect(await client.locales.get('fr_FR')).toEqual({ code: 'fr_FR', enabled: true });
    expect((await client.attributeGroups.get('erp')).labels).toEqual({ en_US: 'ERP data', fr_FR: 'Données ERP' });
  });
});
