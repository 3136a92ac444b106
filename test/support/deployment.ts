/**
 * A deployment of three connections served by one Console (src/server/deployment.ts) for the API
 * and browser tests: `north` and `south` each on their own PIM sandbox and demo ERP (bootstrapped),
 * and `broken`, whose config does not validate. One admin, `julia`, for all of them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connectionConfig, loadDeployment } from '../../src/config/deployment.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createDeploymentConsole, type DeploymentConsole } from '../../src/server/deployment.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { sandboxPimConfig } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';

export const JULIA = { name: 'julia', password: 'julia-password-1' } as const;

export interface TestDeployment {
  north: RunningSandbox;
  south: RunningSandbox;
  dc: DeploymentConsole;
  url: string;
  close(): Promise<void>;
}

const tenant = (sb: RunningSandbox, seed: number) => ({
  pim: sandboxPimConfig(sb, { limits: { maxRetries: 0 } }),
  erp: { type: 'demo', path: `./erp-${seed}.sqlite`, items: 40, seed },
  mapping: { preset: 'demo' },
});

export async function startTestDeployment(dir: string, options: { webRoot?: string } = {}): Promise<TestDeployment> {
  const [north, south] = await Promise.all([startSandbox({ catalog: 'demo' }), startSandbox({ catalog: 'demo' })]);
  const file = join(dir, 'ferry.yaml');
  writeFileSync(file, stringify({ connections: { north: tenant(north, 3), south: tenant(south, 5), broken: { pim: { url: 'not-a-url', token: 't' }, erp: { type: 'demo' } } } }));
  const deployment = (await loadDeployment(file))!;
  for (const src of deployment.connections.slice(0, 2)) {
    const config = connectionConfig(src);
    const client = clientFor(src.name === 'north' ? north : south);
    const source = createErpSource(config.erp);
    await bootstrapPim(client, config.mapping, source).finally(async () => {
      await source.close();
      await client.close();
    });
  }
  const dc = await createDeploymentConsole({ deployment, logger: createLogger({ level: 'silent' }), publicUrl: 'http://console.test', ...(options.webRoot ? { webRoot: options.webRoot } : {}) });
  const url = await dc.listen('127.0.0.1', 0);
  dc.start();
  await dc.auth.addUser(JULIA.name, 'admin', JULIA.password);
  return {
    north,
    south,
    dc,
    url,
    async close() {
      await dc.close();
      await north.close();
      await south.close();
    },
  };
}
