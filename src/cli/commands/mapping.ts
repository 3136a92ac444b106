/**
 * `ferry check`, `ferry map` and `ferry pim bootstrap`: write, preview and prepare a mapping.
 * All three read the live PIM structure and the ERP's describe(); only bootstrap writes (after
 * showing its plan and asking, or with --yes).
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { createAkeneoClientFromConfig, type AkeneoClient } from '../../akeneo/index.js';
import type { Values } from '../../akeneo/model.js';
import type { FerryConfig } from '../../config/schema.js';
import { createErpSource } from '../../erp/factory.js';
import type { ErpRecord, ErpSource, FieldValue, StreamDescription } from '../../erp/port.js';
import {
  applyBootstrap,
  checkMapping,
  createMapper,
  describeFailure,
  describePlan,
  isEmptyPlan,
  loadPimStructure,
  planBootstrap,
  resolveMapping,
  type CheckProblem,
  type MappedEntity,
  type MappingError,
  type PimStructure,
} from '../../mapping/index.js';
import { loadReferenceDataStructure } from '../../mapping/bootstrap-reference.js';
import { needsSamples, readAxisSamples } from '../../sync/bootstrap.js';
import { checkAllRecords } from '../../app/check-records.js';
import { applyStatusAttributes, describeStatusPlan, planStatusAttributes } from '../../sync/export/bootstrap.js';
import { createHumanLogger } from '../human-log.js';
import { configFrom, printJson, UserError, withConfigOption } from '../output.js';

interface Sides {
  config: FerryConfig;
  client: AkeneoClient;
  source: ErpSource;
  pim: PimStructure;
  description: StreamDescription[];
}

function usesReferencePrice(config: FerryConfig): boolean {
  return [...resolveMapping(config.mapping).attributes.values()].some((a) => a.referencePrice === true);
}

/** Loads config, PIM structure and ERP description, and always closes what it opened. */
async function withSides<T>(opts: { config?: string }, run: (sides: Sides) => Promise<T>): Promise<T> {
  const config = await configFrom(opts);
  const client = createAkeneoClientFromConfig(config.pim);
  let source: ErpSource | undefined;
  try {
    // The adapters' warnings (e.g. Tryton's fuzzy translations) reach the person looking.
    source = createErpSource(config.erp, { readOnly: true, referencePrice: usesReferencePrice(config), logger: createHumanLogger() });
    const [pim, description] = await Promise.all([loadPimStructure(client), source.describe()]);
    return await run({ config, client, source, pim, description });
  } finally {
    await source?.close().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}

export function formatProblems(problems: CheckProblem[]): string {
  if (problems.length === 0) return 'mapping OK: no problems against the PIM and the ERP';
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  const lines: string[] = [];
  const block = (title: string, list: CheckProblem[]) => {
    if (!list.length) return;
    lines.push(`${title} (${list.length}):`);
    for (const p of list) {
      // Name the field and the attribute once: most messages already do.
      const where = [
        p.erpField && !p.message.includes(`field ${p.erpField}`) && `ERP field ${p.erpField}`,
        p.attribute && !p.message.includes(`attribute ${p.attribute}`) && `PIM attribute ${p.attribute}`,
      ]
        .filter(Boolean)
        .join(' → ');
      lines.push(`  - [${p.code}] ${where ? `${where}: ` : ''}${p.message}`);
      lines.push(`      fix: ${p.fix}`);
    }
  };
  block('errors', errors);
  block('warnings', warnings);
  lines.push(`${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`);
  return lines.join('\n');
}

// ------------------------------------------------------------------ ferry map

async function collect(it: AsyncIterable<ErpRecord>, keep: (r: ErpRecord) => boolean = () => true): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of it) if (keep(r)) out.push(r);
  return out;
}

/**
 * Items to preview, with every sibling of their groups (the mapper needs whole groups to build
 * models): --keys reads those items then scans for siblings; --sample takes the first N groups.
 */
async function previewItems(source: ErpSource, keys: string[] | null, sample: number): Promise<ErpRecord[]> {
  if (keys) {
    const chosen = await collect(source.read('items', { keys }));
    const missing = keys.filter((k) => !chosen.some((r) => r.key === k));
    if (missing.length) throw new UserError(`no item with key ${missing.join(', ')} in the ERP`);
    const groups = new Set(chosen.map((r) => r.group).filter((g): g is string => !!g));
    if (groups.size === 0) return chosen;
    const picked = new Set(chosen.map((r) => r.key));
    const siblings = await collect(source.read('items'), (r) => !!r.group && groups.has(r.group) && !picked.has(r.key));
    return [...chosen, ...siblings];
  }
  const groups = new Set<string>();
  const out: ErpRecord[] = [];
  let singles = 0;
  for await (const r of source.read('items')) {
    if (r.group) {
      if (!groups.has(r.group)) {
        if (groups.size + singles >= sample) continue;
        groups.add(r.group);
      }
      out.push(r);
    } else if (groups.size + singles < sample) {
      singles++;
      out.push(r);
    }
  }
  return out;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (Array.isArray(value)) return value.map(cell).join('|');
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.kind === 'localized') return Object.entries(v.values as Record<string, string>).map(([l, t]) => `${l}:${t}`).join(' / ');
    if (v.kind === 'quantity') return `${String(v.amount)} ${String(v.unit)}`;
    if (v.kind === 'decimal') return String(v.value);
    if (v.kind === 'money') return `${String(v.amount)} ${String(v.currency)}`;
    if ('amount' in v && 'unit' in v) return `${String(v.amount)} ${String(v.unit)}`;
    return JSON.stringify(value);
  }
  return String(value);
}

function valueLines(values: Values): string[] {
  const lines: string[] = [];
  for (const [attr, entries] of Object.entries(values)) {
    for (const e of entries) {
      const ctx = [e.locale, e.scope].filter(Boolean).join('/');
      lines.push(`${attr}${ctx ? `[${ctx}]` : ''} = ${cell(e.data)}`);
    }
  }
  return lines;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

function sideBySide(left: string[], right: string[], width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) out.push(`  ${clip(left[i] ?? '', width)} │ ${right[i] ?? ''}`);
  return out;
}

function entityTitle(e: MappedEntity): string {
  if (e.kind === 'product_model') return `${e.parent ? 'sub-model' : 'product model'} ${e.code} (family ${e.family}, variant ${e.familyVariant}${e.parent ? `, parent ${e.parent}` : ''})`;
  if (e.kind === 'product') return `${e.parent ? 'variant' : 'product'} ${e.identifier} (family ${e.family ?? '-'}${e.parent ? `, parent ${e.parent}` : ''})`;
  return `category ${e.code} (parent ${e.parent ?? '-'})`;
}

function recordLines(r: ErpRecord): string[] {
  const meta = [r.group && `group=${r.group}`, r.categories?.length && `categories=${r.categories.join('|')}`, r.active === false && 'inactive'].filter(Boolean) as string[];
  return [`${r.stream === 'groups' ? 'group' : 'item'} ${r.key}`, ...meta, ...Object.entries(r.fields).map(([k, v]) => `${k} = ${cell(v as FieldValue)}`)];
}

export function formatMapTable(records: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>, entities: MappedEntity[], errors: MappingError[], width = 58): string {
  const lines: string[] = [];
  const byOrigin = new Map<string, MappedEntity[]>();
  for (const e of entities) {
    const k = `${e.origin.stream}\u0000${e.origin.key}`;
    byOrigin.set(k, [...(byOrigin.get(k) ?? []), e]);
  }
  const shown = new Set<string>();
  const emit = (rec: ErpRecord | null, ents: MappedEntity[], key: string) => {
    const right = ents.flatMap((e) => [`→ ${entityTitle(e)}`, ...(e.kind === 'category' ? [] : [...(e.categories?.length ? [`categories = ${e.categories.join(', ')}`] : []), ...valueLines(e.values)])]);
    const errs = errors.filter((e) => `${e.origin.stream}\u0000${e.origin.key}` === key);
    for (const e of errs) right.push(`✗ ${e.blocksRecord ? 'HELD BACK' : 'value dropped'}: ${e.message} Fix: ${e.fix}`);
    if (!ents.length && !errs.length) right.push('(nothing sent)');
    lines.push(`${'─'.repeat(width + 2)}┼${'─'.repeat(width + 2)}`);
    lines.push(...sideBySide(rec ? recordLines(rec) : [`(${key.split('\u0000')[1]} built from its items)`], right, width));
  };
  lines.push(`  ${clip('ERP RECORD', width)} │ AKENEO PAYLOAD`);
  for (const e of entities) {
    if (e.kind !== 'product_model' || shown.has(e.code)) continue;
    const key = `groups\u0000${e.origin.key}`;
    if (shown.has(key)) continue;
    shown.add(key);
    const rec = groups.get(e.origin.key) ?? null;
    emit(rec, byOrigin.get(key) ?? [], key);
  }
  for (const r of records) emit(r, byOrigin.get(`items\u0000${r.key}`) ?? [], `items\u0000${r.key}`);
  return lines.join('\n');
}

// ------------------------------------------------------------------ commands

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UserError('not a terminal: pass --yes to apply the bootstrap plan without asking');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerMappingCommands(program: Command): void {
  withConfigOption(program.command('check'))
    .description('validate the mapping against the live PIM structure and the ERP fields, then map every ERP record as the sync would; lists every problem with its fix')
    .option('--format <format>', 'text or json', 'text')
    .option('--limit <n>', 'map only the first N ERP items (and their groups) instead of all of them')
    .option('--no-records', 'check the structure only, without reading the ERP records')
    .action(async (opts: { config: string; format: string; limit?: string; records?: boolean }) => {
      const limit = opts.limit === undefined ? null : Number(opts.limit);
      if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw new UserError(`--limit must be a positive whole number, got "${opts.limit}"`);
      await withSides(opts, async ({ config, pim, source, description }) => {
        const problems = checkMapping(config.mapping, pim, description);
        // The structure must be sound before records can be mapped against it.
        const structural = problems.some((p) => p.severity === 'error');
        const records = opts.records === false || structural ? null : await checkAllRecords(config.mapping, pim, source, description, limit);
        if (records) problems.push(...records.problems);
        const ok = !problems.some((p) => p.severity === 'error');
        if (opts.format === 'json') {
          printJson({ ok, problems, records: records ? { items: records.items, groups: records.groups, complete: records.complete } : null });
        } else {
          const lines = [formatProblems(problems)];
          if (records) lines.push(`records: ${records.complete ? 'all' : 'a sample of'} ${records.items} ERP item${records.items === 1 ? '' : 's'} in ${records.groups} group${records.groups === 1 ? '' : 's'} mapped as the sync would${records.complete ? '' : ` (--limit ${limit}; the rest were not checked)`}`);
          else if (structural) lines.push('records: not mapped (fix the errors above first)');
          else lines.push('records: not checked (--no-records)');
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!ok) process.exitCode = 1;
      });
    });

  withConfigOption(program.command('map'))
    .description('show ERP records and the Akeneo payloads they become, side by side, without writing anything')
    .option('--keys <keys>', 'comma-separated item keys (SKUs); their group siblings are included')
    .option('--sample <n>', 'the first N groups (or single items)', '5')
    .option('--format <format>', 'table or json', 'table')
    .option('--categories', 'also map the category tree')
    .action(async (opts: { config: string; keys?: string; sample: string; format: string; categories?: boolean }) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new UserError(`--format must be table or json, got "${opts.format}"`);
      const sample = Number(opts.sample);
      if (!opts.keys && (!Number.isInteger(sample) || sample < 1)) throw new UserError(`--sample must be a positive integer, got "${opts.sample}"`);
      const keys = opts.keys ? opts.keys.split(',').map((k) => k.trim()).filter(Boolean) : null;
      await withSides(opts, async ({ config, source, pim }) => {
        const mapper = createMapper(config.mapping, pim);
        const items = await previewItems(source, keys, sample);
        const groupKeys = [...new Set(items.map((r) => r.group).filter((g): g is string => !!g))];
        const groups = new Map<string, ErpRecord>();
        if (groupKeys.length && source.streams.includes('groups')) for (const g of await collect(source.read('groups', { keys: groupKeys }))) groups.set(g.key, g);
        const result = mapper.mapItems(items, groups);
        const cats = opts.categories && source.streams.includes('categories') ? mapper.mapCategories(await collect(source.read('categories'))) : null;
        if (opts.format === 'json') {
          printJson({
            records: items,
            groups: [...groups.values()],
            entities: [...(cats?.entities ?? []), ...result.entities],
            missingOptions: result.missingOptions,
            mediaUploads: result.mediaUploads ?? [],
            codeChanges: [...(cats?.codeChanges ?? []), ...(result.codeChanges ?? [])],
            errors: [...(cats?.errors ?? []), ...result.errors],
          });
          return;
        }
        const out: string[] = [];
        if (cats) out.push(formatMapTable([], new Map(), cats.entities, cats.errors));
        out.push(formatMapTable(items, groups, result.entities, result.errors));
        const changes = [...(cats?.codeChanges ?? []), ...(result.codeChanges ?? [])];
        if (changes.length) {
          out.push('codes normalised (ERP → Akeneo):');
          for (const c of changes) out.push(`  ${c.kind}${c.attribute ? ` of ${c.attribute}` : ''}: ${JSON.stringify(c.original)} → ${c.normalised}`);
        }
        if (result.missingOptions.length) out.push(`options to create: ${result.missingOptions.map((o) => `${o.attribute}.${o.code}`).join(', ')}`);
        if (result.mediaUploads?.length) out.push(`media to upload: ${result.mediaUploads.length}`);
        out.push(`${items.length} item(s) → ${result.entities.length} payload(s), ${result.errors.length} error(s); nothing was written`);
        process.stdout.write(`${out.join('\n')}\n`);
      });
    });

  const pim = program.commands.find((c) => c.name() === 'pim') ?? program.command('pim').description('talk to the PIM');
  withConfigOption(pim.command('bootstrap'))
    .description('create what the mapping needs and the PIM lacks (ERP attribute group, attributes, options, families, family variants, category root)')
    .option('--plan', 'print the plan (and what it leaves out, and why) and exit 0 without writing; works without a terminal')
    .option('-y, --yes', 'apply without asking')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { config: string; yes?: boolean; plan?: boolean; format: string }) => {
      if (opts.format !== 'text' && opts.format !== 'json') throw new UserError(`--format must be text or json, got "${opts.format}"`);
      if (opts.plan && opts.yes) throw new UserError('--plan only shows the plan and --yes applies it; pass one of them.');
      await withSides(opts, async ({ config, client, source, pim: structure, description }) => {
        const mapping = resolveMapping(config.mapping);
        const referenceData = await loadReferenceDataStructure(client, mapping, structure);
        const plan = planBootstrap(mapping, structure, description, {
          ...(needsSamples(mapping) ? { samples: await readAxisSamples(mapping, source) } : {}),
          ...(referenceData ? { referenceData } : {}),
        });
        // With `export:`, the status attributes of the PIM → ERP exchange too (src/sync/export/bootstrap.ts).
        const exportPlan = config.export ? await planStatusAttributes(client, config.export) : null;
        const exportLines = exportPlan ? describeStatusPlan(exportPlan) : [];
        const exportNotes = (exportPlan?.notes ?? []).map((n) => `  note: ${n}`);
        const empty = isEmptyPlan(plan) && exportLines.length === 0;
        const showPlan = () => {
          if (opts.format === 'json') printJson({ plan, ...(exportPlan ? { exportPlan: exportLines, exportNotes: exportPlan.notes } : {}), applied: false });
          else if (empty) process.stdout.write(`nothing to create: the PIM has what the mapping needs\n${[...plan.notes.map((n) => `  note: ${n}`), ...exportNotes].map((l) => `${l}\n`).join('')}`);
          else process.stdout.write(`bootstrap plan:\n${[...describePlan(plan), ...exportLines, ...exportNotes].join('\n')}\n`);
        };
        // The plan alone: for review in CI or from a script; nothing is written.
        if (opts.plan || empty) {
          showPlan();
          return;
        }
        if (!opts.yes) {
          showPlan();
          if (!process.stdin.isTTY) throw new UserError('not a terminal, so nothing was written: review the plan above (ferry pim bootstrap --plan), then apply it with --yes');
          if (!(await confirm('apply this plan to the PIM? [y/N] '))) {
            process.stdout.write('nothing written\n');
            return;
          }
        } else if (opts.format !== 'json') process.stdout.write(`bootstrap plan:\n${describePlan(plan).join('\n')}\n`);
        const result = await applyBootstrap(plan, client);
        if (config.export) {
          // Planned again: the families the mapping's bootstrap just created get the status attributes too.
          const applied = await applyStatusAttributes(client, await planStatusAttributes(client, config.export));
          for (const message of applied.failures) result.failures.push({ kind: 'attribute', code: config.export.status.attribute, message });
        }
        if (opts.format === 'json') printJson({ plan, applied: true, result });
        else {
          const sum = (r: Record<string, number>) => Object.entries(r).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace('_', ' ')}${n === 1 ? '' : 's'}`).join(', ') || 'nothing';
          process.stdout.write(`created: ${sum(result.created)}; updated: ${sum(result.updated)}\n`);
          for (const f of result.failures) process.stdout.write(`  ✗ ${describeFailure(f)}\n`);
        }
        if (result.failures.length) process.exitCode = 1;
      });
    });
}
