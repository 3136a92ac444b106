/**
 * The rough edges a newcomer met: messages without class names ("RunLockedError:", "ErpError:")
 * or "Run #-", a quiet end when the reader of a pipe goes away (EPIPE), skip reasons that say
 * which case applied, and the sandbox's `empty` catalog holding the group of its `sku`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { groupSkipReason } from '../../src/sync/engine.js';
import { lockNameFor, openStateStore, runSync } from '../../src/sync/index.js';
import { takeRunLock } from '../../src/sync/lock.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { createErpSource } from '../../src/erp/factory.js';
import { formatReport } from '../../src/sync/report.js';
import { createAkeneoClient } from '../../src/akeneo/index.js';
import { ferry, ROOT } from '../support/ferry-cli.js';

describe('messages a person reads', () => {
  let sb: RunningSandbox;
  let dir: string;
  const yaml = (erp: string) =>
    [`pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password}, timeoutMs: 3000 }`, erp, 'mapping: { preset: demo }', 'state: { path: ferry.db }', ''].join('\n');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-messages-'));
    sb = await startSandbox({ catalog: 'demo' });
    writeFileSync(join(dir, 'ferry.yaml'), yaml('erp: { type: demo, path: demo.sqlite, items: 40, seed: 5 }'));
    writeFileSync(join(dir, 'down-erp.yaml'), yaml('erp: { type: sql, client: pg, connection: "postgres://nobody@127.0.0.1:9/none", connectTimeoutMs: 1000, streams: { items: { table: items, key: sku } } }'));
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run refused by the lock of another run says so without "RunLockedError:"', async () => {
    const config = parseConfig(yaml('erp: { type: demo }'), 'ferry.yaml');
    const state = await openStateStore({ driver: 'sqlite', path: join(dir, 'ferry.db') });
    const { lock } = await takeRunLock(state, lockNameFor(config.pim), { staleAfterMs: 600_000, heartbeatMs: 60_000 });
    try {
      const r = await ferry(['sync'], dir);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('another sync run');
      expect(r.stdout + r.stderr).not.toContain('RunLockedError');
      expect(r.stdout).not.toContain('Run #-');
    } finally {
      await lock.release();
      await state.close();
    }
  });

  it('an ERP that cannot be reached is reported without "ErpError:"', async () => {
    const r = await ferry(['sync', '--config', 'down-erp.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('cannot reach PostgreSQL');
    expect(r.stdout + r.stderr).not.toContain('ErpError');
  });

  it('a reader that goes away early (| head) ends the command quietly, exit 0', async () => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), 'erp', 'read', '--config', 'ferry.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });

  it('skip reasons name the one case that applied', async () => {
    expect(groupSkipReason(1)).toContain('single item');
    expect(groupSkipReason(1)).not.toContain('family variant');
    expect(groupSkipReason(3)).toContain('no family variant');
    expect(groupSkipReason(3)).not.toContain('single');
    const config = parseConfig(yaml(`erp: { type: demo, path: "${join(dir, 'skip.sqlite')}", items: 60, seed: 9 }`).replace('ferry.db', join(dir, 'skip.db')), 'f.yaml');
    const source = createErpSource(config.erp);
    const client = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    try {
      await bootstrapPim(client, config.mapping, source);
      const report = await runSync(config, { client, source, logger: createLogger({ level: 'silent' }), full: true });
      for (const s of report.skipped ?? []) expect(s.reason.includes('single item') && s.reason.includes('no family variant')).toBe(false);
      expect(formatReport(report)).not.toContain('Run #-');
    } finally {
      await source.close();
      await client.close();
    }
  });

  it("the sandbox's empty catalog has the attribute group of its sku attribute", async () => {
    const empty = await startSandbox({ catalog: 'empty' });
    const client = createAkeneoClient({ url: empty.url, auth: { kind: 'connection', clientId: empty.clientId, secret: empty.secret, username: empty.username, password: empty.password } });
    try {
      const sku = await client.attributes.get('sku');
      const group = await client.attributeGroups.find(sku.group);
      expect(group?.attributes).toContain('sku');
    } finally {
      await client.close();
      await empty.close();
    }
  });
});
