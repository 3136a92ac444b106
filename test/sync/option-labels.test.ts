/**
 * The sync's option-label stage (src/sync/stages/option-labels.ts) on fakes, with the real mapper's
 * mapOptionLabels: options created and updated with the ERP's labels, delta by the labels' hash,
 * options the PIM already labels the same only recorded, a failing describe() leaving labels alone,
 * a dry run counting without writing, a source that does not describe labels never asked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LocalizedText, StreamDescription } from '../../src/erp/port.js';
import { createMapper, mappingConfigSchema } from '../../src/mapping/index.js';
import { executeSync, type EngineDeps } from '../../src/sync/engine.js';
import { SqliteStateStore } from '../../src/sync/state/sqlite.js';
import { demoPim } from '../mapping/fixtures.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

const text = (values: Record<string, string>): LocalizedText => ({ kind: 'localized', values });

class LabellingErp extends FakeErp {
  readonly describesOptionLabels: boolean = true;
  labels: Record<string, LocalizedText> = { red: text({ en: 'Red', fr: 'Rouge' }), blue: text({ en: 'Blue', fr: 'Bleu' }), green: text({ en: 'Green', de: 'Grün' }) };
  describeCalls = 0;
  failDescribe = false;
  override async describe(): Promise<StreamDescription[]> {
    this.describeCalls++;
    if (this.failDescribe) throw new Error('Tryton did not answer');
    return [{ stream: 'items', supportsDelta: true, fields: [{ name: 'color', type: 'select', options: Object.keys(this.labels), optionLabels: this.labels }] }];
  }
}

describe('sync: option labels (fakes)', () => {
  let erp: LabellingErp;
  let pim: FakePim;
  let state: SqliteStateStore;
  let deps: EngineDeps;
  const optionCalls = () => pim.calls.filter((c) => c.lane.startsWith('option:'));

  beforeEach(async () => {
    erp = new LabellingErp();
    erp.item('pen', null, { name: 'Pen', color: 'red' });
    pim = new FakePim();
    state = new SqliteStateStore(':memory:');
    await state.migrate();
    // demoPim has red (en_US "Red") and blue (en_US "Blue"); green is new.
    const labelled = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), demoPim());
    const mapper = { ...fakeMapper(), mapOptionLabels: (d: readonly StreamDescription[]) => labelled.mapOptionLabels!(d) };
    deps = { source: erp, client: pim, mapper, state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
  });

  it('creates and updates options with their labels, then writes nothing until a label changes, then only that option', async () => {
    const first = await executeSync(deps, { heartbeatMs: 50 });
    expect(first.status).toBe('succeeded');
    expect(optionCalls()).toEqual([
      {
        lane: 'option:color',
        items: [
          { code: 'red', attribute: 'color', labels: { en_US: 'Red', fr_FR: 'Rouge' } },
          { code: 'blue', attribute: 'color', labels: { en_US: 'Blue', fr_FR: 'Bleu' } },
          { code: 'green', attribute: 'color', labels: { en_US: 'Green', de_DE: 'Grün' } },
        ],
      },
    ]);
    expect((await state.getEntities('option', ['color:green'])).get('color:green')?.hashes['@labels']).toMatch(/./);

    pim.calls.length = 0;
    await executeSync(deps, { heartbeatMs: 50 });
    expect(optionCalls()).toEqual([]);

    erp.labels.blue = text({ en: 'Blue', fr: 'Bleu roi' });
    await executeSync(deps, { heartbeatMs: 50 });
    expect(optionCalls()).toEqual([{ lane: 'option:color', items: [{ code: 'blue', attribute: 'color', labels: { en_US: 'Blue', fr_FR: 'Bleu roi' } }] }]);
  });

  it('only records an option whose PIM labels already say the same', async () => {
    erp.labels = { red: text({ en: 'Red' }) };
    await executeSync(deps, { heartbeatMs: 50 });
    expect(optionCalls()).toEqual([]);
    expect((await state.getEntities('option', ['color:red'])).has('color:red')).toBe(true);
  });

  it('a dry run counts the option writes and sends none', async () => {
    const report = await executeSync(deps, { heartbeatMs: 50, dryRun: true });
    expect(optionCalls()).toEqual([]);
    expect(report.plan?.actions.option).toMatchObject({ create: 1, update: 2 });
    expect((await state.getEntities('option', ['color:red'])).size).toBe(0);
  });

  it('a failing describe() leaves the labels alone and the run goes on', async () => {
    erp.failDescribe = true;
    const report = await executeSync(deps, { heartbeatMs: 50 });
    expect(report.status).toBe('succeeded');
    expect(optionCalls()).toEqual([]);
    expect(report.counts.created).toBe(1);
  });

  it('a source that does not describe option labels is not asked (describe() may be costly)', async () => {
    const plain = Object.assign(erp, { describesOptionLabels: false });
    await executeSync({ ...deps, source: plain }, { heartbeatMs: 50 });
    expect(erp.describeCalls).toBe(0);
    expect(optionCalls()).toEqual([]);
  });
});
