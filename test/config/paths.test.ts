/**
 * Relative paths in ferry.yaml follow the config file, not the current directory: what a cron
 * job does (`cd /tmp && ferry sync --config /srv/ferry/ferry.yaml`) must use /srv/ferry/data.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfigPaths } from '../../src/config/paths.js';
import { parseConfig } from '../../src/config/load.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

describe('paths relative to the config file', () => {
  let sb: RunningSandbox;
  let home: string;
  let elsewhere: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ferry-home-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'ferry-cwd-'));
    sb = await startSandbox({ catalog: 'demo' });
    writeFileSync(
      join(home, 'ferry.yaml'),
      [
        'pim:',
        `  url: ${sb.url}`,
        '  clientId: ferry',
        '  secret: ferry-secret',
        '  username: admin',
        '  password: admin',
        'erp:',
        '  type: demo',
        '  path: ./erp/demo.sqlite',
        '  items: 30',
        'mapping:',
        '  preset: demo',
        'state:',
        '  path: ./data/ferry.db',
        'sync:',
        '  mediaRoot: media',
        '',
      ].join('\n'),
    );
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('resolves state, media root, drop folders and SQLite files against the base directory', () => {
    const base = { pim: { url: 'https://x', token: 't' } };
    const files = resolveConfigPaths(parseConfig(JSON.stringify({ ...base, erp: { type: 'files', folder: 'drop', doneFolder: '/abs/done' } }), 'f.yaml'), '/srv/ferry');
    expect(files.config.erp).toMatchObject({ folder: '/srv/ferry/drop', doneFolder: '/abs/done' });
    expect(files.config.state.path).toBe('/srv/ferry/data/ferry.db');
    expect(files.config.sync.mediaRoot).toBe('/srv/ferry');
    const sqlite = resolveConfigPaths(parseConfig(JSON.stringify({ ...base, erp: { type: 'sql', client: 'better-sqlite3', connection: { filename: 'erp.db' } } }), 'f.yaml'), '/srv/ferry');
    expect(sqlite.config.erp).toMatchObject({ connection: { filename: '/srv/ferry/erp.db' } });
    const memory = resolveConfigPaths(parseConfig(JSON.stringify({ ...base, erp: { type: 'sql', client: 'better-sqlite3', connection: { filename: ':memory:' } } }), 'f.yaml'), '/srv/ferry');
    expect(memory.config.erp).toMatchObject({ connection: { filename: ':memory:' } });
  });

  it('ferry config validate shows the resolved paths', async () => {
    const r = await ferry(['config', 'validate', '--config', join(home, 'ferry.yaml')], elsewhere);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`state.path      ${join(home, 'data/ferry.db')}  (written: ./data/ferry.db)`);
    expect(r.stdout).toContain(join(home, 'erp/demo.sqlite'));
    expect(r.stdout).toContain(join(home, 'media'));
  });

  it('a bootstrap and a sync run from another directory use the files beside the config', async () => {
    const config = join(home, 'ferry.yaml');
    const boot = await ferry(['pim', 'bootstrap', '--config', config, '--yes'], elsewhere);
    expect(boot.code, boot.stderr).toBe(0);
    const first = await ferry(['sync', '--config', config, '--json'], elsewhere);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(home, 'data/ferry.db'))).toBe(true);
    expect(existsSync(join(home, 'erp/demo.sqlite'))).toBe(true);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    expect(existsSync(join(elsewhere, 'erp'))).toBe(false);
    // A second run from yet another directory finds the same state: nothing to create again.
    const other = join(elsewhere, 'sub');
    mkdirSync(other);
    const second = await ferry(['sync', '--config', config, '--json'], other);
    expect(second.code, second.stderr).toBe(0);
    const counts = (JSON.parse(second.stdout) as { counts: { created: number } }).counts;
    expect(counts.created).toBe(0);
    const runs = await ferry(['runs', '--config', config], other);
    expect(runs.stdout.trim().split('\n')).toHaveLength(2);
  });
});
