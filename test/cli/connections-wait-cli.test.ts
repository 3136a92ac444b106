/**
 * Two tenants of one deployment on the same PIM and the same Akeneo Connection, from the command
 * line: while east's run holds the connection (held here by the test, as east's run would, so the
 * timing is the test's), `ferry sync --connection west` waits with a message and `ferry runs`
 * shows it waiting; once east's run ends, west's runs. A second run of east is refused at once,
 * and `--no-wait` refuses west instead of waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ConnectionLocks, readConnectionQueue } from '../../src/sync/connection-lock.js';
import { lockOwnerId } from '../../src/sync/lock.js';
import { ferry } from '../support/ferry-cli.js';

let sb: RunningSandbox;
const dir = mkdtempSync(join(tmpdir(), 'ferry-connections-wait-'));
const lockDir = join(dir, 'locks');

function tenant(name: string, seed: number): string[] {
  return [
    `  ${name}:`,
    `    pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password}, timeoutMs: 5000 }`,
    `    erp: { type: demo, path: ./${name}-erp.sqlite, items: 30, seed: ${seed} }`,
    '    mapping: { preset: demo }',
    `    sync: { lockDir: "${lockDir}" }`,
  ];
}

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
  // One ERP seed: the two tenants write the same catalog into the one PIM (two seeds would clash on codes).
  writeFileSync(join(dir, 'ferry.yaml'), ['connections:', ...tenant('east', 4), ...tenant('west', 4), ''].join('\n'));
  const r = await ferry(['pim', 'bootstrap', '--yes', '--connection', 'east'], dir);
  expect(r.code, r.stderr + r.stdout).toBe(0);
}, 120_000);
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 300; i++) {
    if (ok()) return;
    await new Promise((s) => setTimeout(s, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('ferry sync, two tenants on one Akeneo Connection', () => {
  it("west waits for east's run, says so, shows in ferry runs, and runs once east's ends; east twice is refused", async () => {
    const name = `sync:${sb.url}:${sb.clientId}`;
    const east = new ConnectionLocks(lockDir, { tenant: 'east', stateKey: `sqlite:${join(dir, 'data/east.db')}` });
    const owner = lockOwnerId();
    await east.acquireLock(name, owner, 120_000);
    await east.heartbeat(name, owner, 12);
    try {
      const west = ferry(['sync', '--connection', 'west'], dir);
      await until('west to queue', () => readConnectionQueue(lockDir, 120_000, () => true).waiters.some((w) => w.tenant === 'west'));
      const [runs, again, noWait] = await Promise.all([
        ferry(['runs', '--connection', 'west'], dir),
        ferry(['sync', '--connection', 'east'], dir),
        ferry(['sync', '--connection', 'west', '--no-wait'], dir),
      ]);
      expect(runs.code, runs.stderr).toBe(0);
      expect(runs.stdout).toMatch(/^waiting {3}since \S+ {2}for east's run #12 \(same PIM connection\)/m);
      expect(runs.stdout).toContain('No runs yet.');
      // The same tenant: the usual conflict, at once.
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/another sync run \(.*, run #12\) is in progress since/);
      expect(noWait.code).toBe(1);
      expect(noWait.stderr).toMatch(/another sync run \(.*, run #12\) is in progress since/);
      await east.releaseLock(name, owner);
      const done = await west;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/^waiting for east's run #12: same PIM connection; up to 10800 s \(sync\.lockWaitSeconds\), Ctrl-C to give up, --no-wait not to wait$/m);
      expect(done.stdout).toMatch(/succeeded/);
      expect((await ferry(['runs', '--connection', 'west'], dir)).stdout).not.toMatch(/^waiting/m);
    } finally {
      await east.releaseLock(name, owner);
      await east.close();
    }
  }, 120_000);
});
