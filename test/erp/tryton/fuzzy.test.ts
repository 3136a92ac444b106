/**
 * Fuzzy translations against a real Tryton 6.0: the English name of a template is edited through
 * JSON-RPC, Tryton marks its de/fr translations fuzzy (checked in the database file itself), and
 * the adapter reports the previous translations (keep) or no translation (drop).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerErpCommands } from '../../../src/cli/commands/erp.js';
import type { ErpRecord, LocalizedText, StreamName } from '../../../src/erp/port.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { createLogger } from '../../../src/logging.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { skipTryton, trytonErpConfig } from './helpers.js';

async function all(source: TrytonSource, stream: StreamName, options: Parameters<TrytonSource['read']>[1] = {}): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of source.read(stream, options)) out.push(r);
  return out;
}

const nameOf = (r: ErpRecord | undefined): Record<string, string> => (r!.fields.name as LocalizedText).values;

describe.skipIf(skipTryton)('fuzzy translations on a real Tryton', () => {
  let tryton: RunningTryton;
  let keep: TrytonSource;
  let drop: TrytonSource;
  let db: Database.Database;
  const warnings: { msg: string; stream: string; fuzzyTranslations: number; byLanguage: Record<string, number>; examples: string[] }[] = [];
  let code = '';
  let before: Record<string, string> = {};

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'catalogue' });
    const base = trytonErpConfig(tryton, { languages: ['en', 'de', 'fr'] });
    const logger = createLogger({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as (typeof warnings)[number]) });
    keep = createTrytonSource(base, { logger }); // keep is the default
    drop = createTrytonSource({ ...base, fuzzyTranslations: 'drop' }, { logger });
    db = new Database(tryton.databasePath, { readonly: true, fileMustExist: true });

    // A template translated into de and fr with texts different from English.
    const groups = await all(keep, 'groups');
    const target = groups.find((g) => /^TS-/.test(g.key) && Object.keys(nameOf(g)).length === 3 && nameOf(g).de !== nameOf(g).en)!;
    code = target.key;
    before = nameOf(target);
    // Someone edits the English name in Tryton (a plain JSON-RPC write in the source language).
    const [id] = (await keep.connection.model('product.template', 'search', [[['code', '=', code]], 0, 1, null])) as number[];
    await keep.connection.model('product.template', 'write', [[id], { name: `${before.en} (new cut)` }]);
  }, 120_000);

  afterAll(async () => {
    db?.close();
    await keep?.close();
    await drop?.close();
    await tryton?.close();
  });

  it('Tryton marked the other languages fuzzy (the premise, read from the database file)', () => {
    const rows = db
      .prepare("select t.lang, t.fuzzy, t.value from ir_translation t join product_template p on p.id = t.res_id where t.name = 'product.template,name' and t.type = 'model' and p.code = ? and t.lang in ('de', 'fr') order by t.lang")
      .all(code) as { lang: string; fuzzy: number; value: string }[];
    expect(rows).toEqual([
      { lang: 'de', fuzzy: 1, value: before.de },
      { lang: 'fr', fuzzy: 1, value: before.fr },
    ]);
  });

  it('keep: groups and items report the previous de/fr translations, and the read warns once with the count', async () => {
    warnings.length = 0;
    const [group] = await all(keep, 'groups', { keys: [code] });
    expect(nameOf(group)).toEqual({ en: `${before.en} (new cut)`, de: before.de, fr: before.fr });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ stream: 'groups', fuzzyTranslations: 2, byLanguage: { de: 1, fr: 1 } });
    expect(warnings[0]!.examples.sort()).toEqual([`${code} name (de)`, `${code} name (fr)`]);
    expect(warnings[0]!.msg).toContain('Re-translate in Tryton');

    warnings.length = 0;
    const items = (await all(keep, 'items')).filter((i) => i.group === code);
    expect(items.length).toBeGreaterThan(1);
    for (const i of items) expect(nameOf(i), i.key).toEqual({ en: `${before.en} (new cut)`, de: before.de, fr: before.fr });
    // One warning for the whole read; the template's two languages counted once, not once per variant.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ stream: 'items', fuzzyTranslations: 2 });
  });

  it('drop: the fuzzy languages are absent and nothing is warned', async () => {
    warnings.length = 0;
    const [group] = await all(drop, 'groups', { keys: [code] });
    expect(nameOf(group)).toEqual({ en: `${before.en} (new cut)` });
    const items = (await all(drop, 'items')).filter((i) => i.group === code);
    for (const i of items) expect(nameOf(i), i.key).toEqual({ en: `${before.en} (new cut)` });
    expect(warnings).toHaveLength(0);
  });

  it('`ferry erp read` shows the same warning to the person reading, as a line of text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-fuzzy-cli-'));
    const err: string[] = [];
    const out: string[] = [];
    try {
      const file = join(dir, 'ferry.yaml');
      writeFileSync(file, JSON.stringify({ erp: trytonErpConfig(tryton, { languages: ['en', 'de', 'fr'] }) }));
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
      const program = new Command('ferry').exitOverride();
      registerErpCommands(program);
      await program.parseAsync(['node', 'ferry', 'erp', 'read', '--stream', 'groups', '--keys', code, '-c', file]);
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out.join('').trim().split('\n')).toHaveLength(1);
    const warning = err.find((l) => l.startsWith('warning: '));
    expect(warning, err.join('')).toMatch(/^warning: Tryton groups: 2 translations are fuzzy \(.*de.*fr.*\).*Re-translate in Tryton: .*\n$/);
    expect(err.join('')).not.toContain('{"level"');
  });

  it('check() names the policy and counts the fuzzy rows waiting in Tryton', async () => {
    const result = await keep.check();
    expect(result.details.fuzzyTranslations).toBe('keep');
    const waiting = (db.prepare("select count(*) n from ir_translation where type = 'model' and fuzzy = 1 and lang in ('de', 'fr') and value != ''").get() as { n: number }).n;
    expect(waiting).toBeGreaterThanOrEqual(2);
    expect(result.details.fuzzyTranslationRows).toBe(waiting);
  });

  it('the sink compares with what Tryton serves: sending the kept French text writes it and clears the flag', async () => {
    const [res] = await keep.upsert('groups', [{ stream: 'groups', key: code, updatedAt: null, fields: { name: { kind: 'localized', values: { fr: before.fr! } } } }]);
    expect(res!.outcome).toBe('updated');
    const fuzzy = db
      .prepare("select t.fuzzy from ir_translation t join product_template p on p.id = t.res_id where t.name = 'product.template,name' and p.code = ? and t.lang = 'fr'")
      .get(code) as { fuzzy: number };
    expect(fuzzy.fuzzy).toBe(0);
    const [group] = await all(drop, 'groups', { keys: [code] });
    expect(nameOf(group)).toEqual({ en: `${before.en} (new cut)`, fr: before.fr });
  });
});
