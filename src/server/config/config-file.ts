/**
 * ferry.yaml as the Console reads and writes it: the same file the CLI uses. A save is checked
 * against the version it started from (a file changed on disk since is a conflict, never
 * overwritten), validated with the config's zod schema (secrets and `${ENV}` resolved as the CLI
 * would) before a byte is written, written atomically, and kept in the history with its diff.
 * Secret values typed in the Console go to the encrypted secrets file; answers never carry one.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { applyConfigEdits, ConfigEditError, configVersion, moveUrlPasswordsToSecrets, redactConfigData, redactConfigText, unmaskConfigText, type ConfigEdit } from '../../config/edit.js';
import { ConfigError, parseConfig } from '../../config/load.js';
import { configBaseDir, resolveConfigPaths } from '../../config/paths.js';
import type { FerryConfig } from '../../config/schema.js';
import { rawStatePath, SECRET_REF, SecretsError, SecretsStore, secretsLocation } from '../../config/secrets.js';
import { diffStat, unifiedDiff } from '../../util/line-diff.js';
import type { ConfigChange, ConfigFile, ConfigHistoryDetail, ConfigHistoryEntry, ConfigProblemBody, ConfigSaved } from '../api/contract.js';
import { nowIso, type ConsoleDb } from '../store/db.js';

export class ConfigConflictError extends Error {
  constructor(readonly currentVersion: string) {
    super('ferry.yaml changed on disk since it was loaded (by the CLI, an editor or another user); reload it and make the change again');
    this.name = 'ConfigConflictError';
  }
}

export class ConfigInvalidError extends Error {
  constructor(readonly problems: ConfigProblemBody[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'ConfigInvalidError';
  }
}

export interface SaveRequest {
  baseVersion: string;
  yaml?: string | undefined;
  changes?: ConfigChange[] | undefined;
  dryRun?: boolean | undefined;
  note?: string | undefined;
}

export class ConfigFileService {
  constructor(
    readonly file: string,
    private readonly db: ConsoleDb,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The secrets store of this config (its key file beside the state the file names). */
  secrets(): SecretsStore {
    return new SecretsStore(secretsLocation(this.file, rawStatePath(this.file)), this.env);
  }

  private readText(): string | null {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  version(): string {
    return configVersion(this.readText());
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** The problems the CLI would report for this text (empty: it loads). */
  validate(text: string): ConfigProblemBody[] {
    try {
      parseConfig(text, this.file, this.env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  }

  /** The validated configuration, paths resolved, as the CLI loads it. */
  load(): FerryConfig {
    const text = this.readText();
    if (text === null) throw new ConfigInvalidError([{ path: '(file)', message: `${this.file} does not exist yet` }]);
    return resolveConfigPaths(parseConfig(text, this.file, this.env), configBaseDir(this.file)).config;
  }

  read(): ConfigFile {
    const text = this.readText();
    let parsed: unknown;
    try {
      parsed = text === null ? null : redactConfigData(parse(text) ?? {});
    } catch {
      parsed = null;
    }
    const usedAt = text === null ? new Map<string, string[]>() : secretUses(text);
    let secrets: ConfigFile['secrets'] = [];
    try {
      secrets = this.secrets()
        .list()
        .map((s) => ({ ...s, usedAt: usedAt.get(s.name) ?? [] }));
    } catch {
      // An unreadable secrets file shows up as problems on the keys that reference it.
    }
    return {
      file: basename(this.file),
      exists: text !== null,
      yaml: text === null ? '' : redactConfigText(text),
      parsed,
      version: configVersion(text),
      problems: text === null ? [] : this.validate(text),
      secrets,
    };
  }

  /**
   * Validates and (unless dryRun) writes. Secrets named in `changes` are stored first only when
   * the whole save is valid, so a refused save leaves the secrets file as it was.
   */
  save(actor: string, req: SaveRequest): ConfigSaved {
    const current = this.readText();
    const currentVersion = configVersion(current);
    if (req.baseVersion !== currentVersion) throw new ConfigConflictError(currentVersion);

    const pendingSecrets = new Map<string, string>();
    let next: string;
    try {
      if (req.yaml !== undefined) next = unmaskConfigText(req.yaml, current);
      else {
        const edits: ConfigEdit[] = (req.changes ?? []).map((c) => {
          if (c.secret !== undefined) {
            if (typeof c.value !== 'string' || c.value === '') throw new ConfigEditError(c.path, 'a secret needs a text value');
            pendingSecrets.set(c.secret, c.value);
            return { path: c.path, value: `\${secret:${c.secret}}` };
          }
          // A password typed inside a URL (an SQL connection) is a secret too: never written in clear.
          return c.remove === true ? { path: c.path, remove: true } : { path: c.path, value: moveUrlPasswordsToSecrets(c.value, c.path, pendingSecrets) };
        });
        next = applyConfigEdits(current ?? '', edits);
      }
    } catch (err) {
      if (err instanceof ConfigEditError) throw new ConfigInvalidError([{ path: err.path, message: err.message.slice(err.path.length + 2) }]);
      throw err;
    }

    const problems = this.validateWith(next, pendingSecrets);
    if (problems.length > 0) throw new ConfigInvalidError(problems);

    const diff = unifiedDiff(redactConfigText(current ?? ''), redactConfigText(next), { before: `${basename(this.file)} (${currentVersion.slice(0, 8) || 'new'})`, after: basename(this.file) });
    const version = configVersion(next);
    if (req.dryRun === true) return { saved: false, version, diff, historyId: null };
    if (next === current && pendingSecrets.size === 0) return { saved: false, version, diff: '', historyId: null };

    const store = this.secrets();
    for (const [name, value] of pendingSecrets) store.set(name, value, new Date(this.clock()));
    // Checked again just before the write: another save may have landed meanwhile.
    if (configVersion(this.readText()) !== currentVersion) throw new ConfigConflictError(this.version());
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, next, { mode: existsSync(this.file) ? undefined : 0o640 });
    renameSync(tmp, this.file);
    const stat = diffStat(diff);
    const info = this.db
      .prepare('INSERT INTO console_config_history (at, actor, version, note, diff, yaml, added, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(nowIso(this.clock), actor, version, req.note ?? null, diff, redactConfigText(next), stat.added, stat.removed);
    return { saved: true, version, diff, historyId: Number(info.lastInsertRowid) };
  }

  /** Validation with secrets typed in this save visible as if stored (the secrets file is not touched). */
  private validateWith(text: string, pending: ReadonlyMap<string, string>): ConfigProblemBody[] {
    try {
      parseConfig(text, this.file, this.env, pending);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      if (err instanceof SecretsError) return [{ path: '(secrets)', message: err.message }];
      throw err;
    }
  }

  /** One top-level section as written (references unresolved), for the connection tests. */
  rawSection(name: string): Record<string, unknown> | undefined {
    const text = this.readText();
    if (text === null) return undefined;
    try {
      const data = parse(text) as Record<string, unknown> | null;
      const section = data?.[name];
      return section && typeof section === 'object' && !Array.isArray(section) ? (section as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  get environment(): NodeJS.ProcessEnv {
    return this.env;
  }

  setSecret(name: string, value: string): void {
    this.secrets().set(name, value, new Date(this.clock()));
  }

  history(page: number, pageSize: number): { items: ConfigHistoryEntry[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM console_config_history').get() as { n: number }).n;
    const rows = this.db.prepare('SELECT id, at, actor, version, note, added, removed FROM console_config_history ORDER BY id DESC LIMIT ? OFFSET ?').all(pageSize, (page - 1) * pageSize) as ConfigHistoryEntry[];
    return { total, items: rows };
  }

  historyEntry(id: number): ConfigHistoryDetail | null {
    return (this.db.prepare('SELECT id, at, actor, version, note, added, removed, diff, yaml FROM console_config_history WHERE id = ?').get(id) as ConfigHistoryDetail | undefined) ?? null;
  }

  /** A restore is a save of that version's text (literal secrets it masked come back from the current file). */
  restore(actor: string, id: number, baseVersion: string): ConfigSaved | null {
    const entry = this.historyEntry(id);
    if (!entry) return null;
    return this.save(actor, { baseVersion, yaml: entry.yaml, note: `restored version #${id} (${entry.at})` });
  }
}

/** NAME → the key paths whose value references `${secret:NAME}`. */
function secretUses(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return out;
  }
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(SECRET_REF)) out.set(m[1]!, [...(out.get(m[1]!) ?? []), path]);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(data, '');
  return out;
}
