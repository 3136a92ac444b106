/**
 * A sandbox with Akeneo's demo catalog, bootstrapped for the demo mapping, and a config on it with
 * the generated demo ERP and a SQLite state in `dir`: the set-up of the tests that run parts of
 * a queued run in the test's own process.
 */
import { join } from 'node:path';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createErpSource } from '../../../src/erp/factory.js';
import type { ErpSource } from '../../../src/erp/port.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { sandboxPimConfig } from './e2e.js';
import { clientFor } from './pim.js';

export async function bootstrappedDemo(
  dir: string,
  erp: { items: number; seed: number },
  /** `withoutOptions`: bootstrap as for an ERP that declares no select values, so the run's items create their options. */
  how: { withoutOptions?: boolean } = {},
): Promise<{ sb: RunningSandbox; config: FerryConfig; admin: ReturnType<typeof clientFor> }> {
  const sb = await startSandbox({ catalog: 'demo' });
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), ...erp },
    mapping: { preset: 'demo' },
    state: { path: join(dir, 'ferry.db') },
  });
  const admin = clientFor(sb);
  const source = createErpSource(config.erp);
  try {
    const undeclared: ErpSource = {
      ...source,
      describe: async () => (await source.describe()).map((d) => ({ ...d, fields: d.fields.map(({ options: _options, ...f }) => f) })),
    };
    await bootstrapPim(admin, config.mapping, how.withoutOptions ? undeclared : source);
  } finally {
    await source.close();
  }
  return { sb, config, admin };
}
