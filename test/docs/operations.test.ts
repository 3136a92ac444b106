/**
 * docs/operations.md works as written: its cron command and its systemd service's command run
 * from another directory (cron's and systemd's is not the config's), with the secrets from the
 * environment file only, and use the state beside the config.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ROOT } from '../support/ferry-cli.js';

const DOC = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');

function block(name: string): string {
  const m = new RegExp(`<!-- ${name}:begin -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(DOC);
  if (!m) throw new Error(`docs/operations.md has no ${name} block`);
  return m[1]!;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}

describe('docs/operations.md', () => {
  let sb: RunningSandbox;
  let home: string; // plays /srv/ferry
  let logs: string; // plays /var/log/ferry
  let bin: string; // holds a `ferry` command, as npm install -g would
  const baseEnv = () => ({ PATH: `${bin}:/usr/bin:/bin`, HOME: tmpdir(), FERRY_LOG_LEVEL: 'warn' });
  const local = (text: string) => text.replaceAll('/srv/ferry', home).replaceAll('/var/log/ferry', logs).replaceAll('/usr/local/bin/ferry', join(bin, 'ferry'));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ferry-srv-'));
    logs = mkdtempSync(join(tmpdir(), 'ferry-log-'));
    bin = mkdtempSync(join(tmpdir(), 'ferry-bin-'));
    sb = await startSandbox({ catalog: 'demo' });
    writeFileSync(join(bin, 'ferry'), `#!/bin/sh\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${join(ROOT, 'src/cli/index.ts')}" "$@"\n`);
    chmodSync(join(bin, 'ferry'), 0o755);
    writeFileSync(
      join(home, 'ferry.yaml'),
      [
        'pim:',
        `  url: ${sb.url}`,
        `  clientId: ${sb.clientId}`,
        '  secret: ${AKENEO_SECRET}',
        `  username: ${sb.username}`,
        '  password: ${AKENEO_PASSWORD}',
        'erp: { type: demo, path: ./data/demo-erp.sqlite, items: 40 }',
        'mapping: { preset: demo }',
        'state: { path: ./data/ferry.db }',
        '',
      ].join('\n'),
    );
    writeFileSync(join(home, 'ferry.env'), `AKENEO_SECRET=${sb.secret}\nAKENEO_PASSWORD=${sb.password}\n`);
    const boot = await run(join(bin, 'ferry'), ['pim', 'bootstrap', '--yes', '--config', join(home, 'ferry.yaml')], '/', { ...baseEnv(), AKENEO_SECRET: sb.secret, AKENEO_PASSWORD: sb.password });
    expect(boot.code, boot.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await sb?.close();
    for (const d of [home, logs, bin]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('the cron line runs from / with the secrets of the environment file and appends one JSON object per run', async () => {
    const lines = block('cron').split('\n').filter((l) => /^\S+ \S+ \S+ \S+ \S+ /.test(l) && !l.startsWith('SHELL'));
    expect(lines).toHaveLength(2);
    expect(block('cron')).toMatch(/^SHELL=\/bin\/sh$/m);
    const fields = lines[0]!.split(' ');
    expect(fields[5]).toBe('ferry'); // the user field of /etc/cron.d
    const command = local(fields.slice(6).join(' '));
    const r = await run('/bin/sh', ['-c', command], '/', baseEnv());
    expect(r.code, `${r.stderr}\n${readFileSync(join(logs, 'sync.log'), 'utf8')}`).toBe(0);
    const out = readFileSync(join(logs, 'sync.json'), 'utf8');
    const summary = JSON.parse(out) as { status: string; counts: { created: number } };
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.created).toBeGreaterThan(0);
    expect(existsSync(join(home, 'data/ferry.db'))).toBe(true);
    expect(existsSync('/data/ferry.db')).toBe(false);
  });

  it("the systemd service's command runs from / with only the environment file's variables", async () => {
    const service = block('systemd-service');
    const envFile = local(/^EnvironmentFile=(.+)$/m.exec(service)![1]!);
    const exec = local(/^ExecStart=(.+)$/m.exec(service)![1]!).split(' ');
    expect(service).toMatch(/^Type=oneshot$/m);
    const env: NodeJS.ProcessEnv = { ...baseEnv() };
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2];
    }
    const r = await run(exec[0]!, exec.slice(1), '/', env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Run #\d+/);
    expect(existsSync(join(home, 'data/demo-erp.sqlite'))).toBe(true);
    // The history lists both runs (cron's and the service's), from yet another directory.
    mkdirSync(join(logs, 'elsewhere'), { recursive: true });
    const runs = await run(join(bin, 'ferry'), ['runs', '--config', join(home, 'ferry.yaml')], join(logs, 'elsewhere'), baseEnv());
    expect(runs.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  });

  it("the timer's calendar is one systemd reads", () => {
    const timer = block('systemd-timer');
    const calendar = /^OnCalendar=(.+)$/m.exec(timer)![1]!;
    expect(timer).toMatch(/^Persistent=true$/m);
    const check = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
    if (check.error) return; // no systemd-analyze on this machine: the format check above stands
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('Next elapse');
  });
});
