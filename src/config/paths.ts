/**
 * Relative paths in ferry.yaml are relative to the file itself, not to the directory the
 * command runs from: `cd /tmp && ferry sync --config /srv/ferry/ferry.yaml` (what cron does)
 * must find /srv/ferry/data/ferry.db, not create /tmp/data/ferry.db.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ErpConfig } from '../erp/config.js';
import type { FerryConfig } from './schema.js';

/** One path the configuration names, as written and as Ferry will use it. */
export interface ResolvedPath {
  key: string;
  written: string;
  resolved: string;
}

function under(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The directory a configuration file's relative paths are resolved against. */
export function configBaseDir(file: string): string {
  return dirname(resolve(file));
}

/** SQLite's special names are not files. */
function isSqliteFile(name: string): boolean {
  return name !== '' && name !== ':memory:' && !name.startsWith('file:');
}

/** The `erp:` section with its folders and files made absolute against `baseDir`. */
export function resolveErpPaths(erp: ErpConfig, baseDir: string, seen: ResolvedPath[] = []): ErpConfig {
  const fix = (key: string, value: string): string => {
    const resolved = under(baseDir, value);
    seen.push({ key, written: value, resolved });
    return resolved;
  };
  switch (erp.type) {
    case 'demo':
      return { ...erp, path: fix('erp.path', erp.path) };
    case 'files':
      return {
        ...erp,
        folder: fix('erp.folder', erp.folder),
        ...(erp.doneFolder !== undefined ? { doneFolder: fix('erp.doneFolder', erp.doneFolder) } : {}),
        ...(erp.failedFolder !== undefined ? { failedFolder: fix('erp.failedFolder', erp.failedFolder) } : {}),
        ...(erp.outFolder !== undefined ? { outFolder: fix('erp.outFolder', erp.outFolder) } : {}),
      };
    case 'sql': {
      if (erp.client !== 'better-sqlite3') return erp;
      const conn = erp.connection;
      if (typeof conn === 'string') return isSqliteFile(conn) ? { ...erp, connection: fix('erp.connection', conn) } : erp;
      const filename = conn.filename;
      if (typeof filename !== 'string' || !isSqliteFile(filename)) return erp;
      return { ...erp, connection: { ...conn, filename: fix('erp.connection.filename', filename) } };
    }
    default:
      return erp;
  }
}

/**
 * The whole configuration with every file and folder made absolute against `baseDir` (the
 * config file's directory). `sync.mediaRoot` defaults to that directory too. Returns the paths
 * it resolved, for `ferry config validate` to show.
 */
export function resolveConfigPaths(config: FerryConfig, baseDir: string): { config: FerryConfig; paths: ResolvedPath[] } {
  const paths: ResolvedPath[] = [];
  const statePath = under(baseDir, config.state.path);
  paths.push({ key: 'state.path', written: config.state.path, resolved: statePath });
  const mediaRoot = under(baseDir, config.sync.mediaRoot ?? '.');
  paths.push({ key: 'sync.mediaRoot', written: config.sync.mediaRoot ?? '(default)', resolved: mediaRoot });
  const erp = resolveErpPaths(config.erp, baseDir, paths);
  return {
    config: { ...config, erp, state: { ...config.state, path: statePath }, sync: { ...config.sync, mediaRoot } },
    paths,
  };
}
