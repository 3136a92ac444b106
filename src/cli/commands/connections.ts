/**
 * `ferry connections list`: the connections of a deployment (src/config/deployment.ts) with
 * their PIM, ERP and last run. A connection whose config does not load is listed with its
 * problem: one broken tenant never hides the others.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, DEFAULT_CONFIG_FILE } from '../../config/load.js';
import { connectionConfig, describeErp, loadDeployment, resolveConnection, type ConnectionSource } from '../../config/deployment.js';
import type { FerryConfig } from '../../config/schema.js';
import { openStateStore } from '../../sync/index.js';
import { errorText, printJson, withConfigOption, type ConfigOptions } from '../output.js';

export interface ConnectionLine {
  name: string;
  file: string;
  pim: string | null;
  erp: string | null;
  lastRun: { id: number; mode: string; status: string; startedAt: string } | null;
  /** Why this connection cannot be used as it is (its config's problems, an unreadable state). */
  error: string | null;
}

async function lastRunOf(config: FerryConfig): Promise<ConnectionLine['lastRun']> {
  // Listing must not create an empty state file for a connection that never ran.
  if (config.state.driver === 'sqlite' && !existsSync(config.state.path)) return null;
  const state = await openStateStore(config.state);
  try {
    const [run] = await state.listRuns(1);
    return run ? { id: run.id, mode: run.mode, status: run.status, startedAt: run.startedAt } : null;
  } finally {
    await state.close();
  }
}

export async function describeConnection(src: ConnectionSource): Promise<ConnectionLine> {
  const line: ConnectionLine = { name: src.name ?? src.file, file: src.file, pim: null, erp: null, lastRun: null, error: null };
  let config: FerryConfig;
  try {
    config = connectionConfig(src);
  } catch (err) {
    // A connection in its own file: the file is named, its key paths are that file's.
    const where = src.keyPrefix === '' && err instanceof ConfigError ? `${err.file}: ` : '';
    line.error = err instanceof ConfigError ? where + err.problems.map((p) => `${p.path}: ${p.message}`).join('; ') : errorText(err);
    return line;
  }
  line.pim = config.pim.url;
  line.erp = describeErp(config.erp);
  try {
    line.lastRun = await lastRunOf(config);
  } catch (err) {
    line.error = `state: ${errorText(err)}`;
  }
  return line;
}

function formatLines(lines: readonly ConnectionLine[]): string {
  const width = (pick: (l: ConnectionLine) => string) => Math.max(...lines.map((l) => pick(l).length));
  const last = (l: ConnectionLine) => (l.lastRun ? `#${l.lastRun.id} ${l.lastRun.mode} ${l.lastRun.status} ${l.lastRun.startedAt}` : 'no runs yet');
  const cols: [string, (l: ConnectionLine) => string][] = [
    ['NAME', (l) => l.name],
    ['PIM', (l) => l.pim ?? '-'],
    ['ERP', (l) => l.erp ?? '-'],
  ];
  const widths = cols.map(([h, f]) => Math.max(h.length, width(f)));
  const row = (cells: string[], tail: string) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ') + '  ' + tail;
  const out = [row(cols.map(([h]) => h), 'LAST RUN')];
  for (const l of lines) out.push(row(cols.map(([, f]) => f(l)), l.error ? `ERROR ${l.error}` : last(l)));
  return out.join('\n') + '\n';
}

export function registerConnectionsCommands(program: Command): void {
  const group = program.command('connections').description('The connections (tenants) of a deployment: ferry.yaml with connections: (docs/operations.md)');
  withConfigOption(group.command('list'))
    .description('List the connections: name, PIM, ERP, last run (and the problem of any that does not load)')
    .option('--json', 'print JSON')
    .action(async (o: ConfigOptions & { json?: boolean }) => {
      const file = o.config ?? DEFAULT_CONFIG_FILE;
      const deployment = o.connection === undefined ? await loadDeployment(file) : null;
      const sources = deployment ? deployment.connections : [await resolveConnection(file, o.connection)];
      const lines = await Promise.all(sources.map(describeConnection));
      if (o.json) printJson(lines);
      else process.stdout.write(formatLines(lines));
      // Listing succeeded; a broken connection is shown, and the exit code says one is.
      if (lines.some((l) => l.error !== null)) process.exitCode = 1;
    });
}
