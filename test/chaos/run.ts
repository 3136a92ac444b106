/**
 * npm run chaos — proves that faults, crashes and bad input lose nothing. Prints ONE JSON object.
 *
 * (a) faults: a full sync of the generated demo ERP through a sandbox injecting 429, 500, reset,
 *     timeout and 500-after-write (several seeds), plain `ferry sync` again until a run settles;
 *     the PIM's whole content (products, product models, categories) must equal a fault-free run.
 * (b) kill -9 of `ferry sync` early, mid-way and near the end (by the sandbox's product count),
 *     then a plain `ferry sync`: same end state, no duplicate, the history shows the interrupted run.
 * (c) the sandbox killed (SIGKILL) mid-run and restarted on its --data file: Ferry says so, and
 *     the next runs converge.
 * (d) a corpus of bad input kinds through the files adapter (see bad-input.ts).
 *
 * Sizes: CHAOS_ITEMS (default 2000 items), CHAOS_SEEDS (default 1,2,3). .ci/run uses smaller ones.
 * Exit 1 when any check fails (the JSON says which).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBadInput } from './bad-input.js';
import { count, differences, killAll, ferry, ferryInBackground, freePort, sandbox, snapshot, syncSummary, writeConfig, type Snapshot } from './harness.js';

const ITEMS = Number(process.env.CHAOS_ITEMS ?? 2000);
const SEEDS = (process.env.CHAOS_SEEDS ?? '1,2,3').split(',').map(Number);
const FAULTS = process.env.CHAOS_FAULTS ?? '429:0.08,500:0.06,reset:0.03,timeout:0.01,500-after-write:0.08';
const MAX_RUNS = 6;
const KILL_LATENCY = process.env.CHAOS_LATENCY ?? '30ms+1ms/line';
const ONLY = process.env.CHAOS_ONLY?.split(',');

const dir = mkdtempSync(join(tmpdir(), 'ferry-chaos-'));
const erpPath = join(dir, 'demo.sqlite');
const failures: string[] = [];
const log = (line: string) => process.stderr.write(`chaos: ${line}\n`);

/** A copy of the bootstrapped PIM (structure only) for one scenario. */
function freshPim(name: string): string {
  const data = join(dir, `${name}.pim.sqlite`);
  copyFileSync(join(dir, 'base.pim.sqlite'), data);
  return data;
}

async function prepare(): Promise<{ baseline: Snapshot }> {
  const port = await freePort();
  const sb = await sandbox(dir, port, join(dir, 'base.pim.sqlite'));
  const config = writeConfig(join(dir, 'base.yaml'), { pimUrl: sb.url, erpPath, items: ITEMS, state: join(dir, 'base.db') });
  const demo = await ferry(['erp', 'demo', '--path', erpPath, '--items', String(ITEMS)], dir);
  if (demo.code !== 0) throw new Error(`ferry erp demo failed: ${demo.out}`);
  const boot = await ferry(['pim', 'bootstrap', '--yes', '--config', config], dir);
  if (boot.code !== 0) throw new Error(`ferry pim bootstrap failed: ${boot.out}`);
  await sb.stop();
  // The fault-free reference: a copy of the bootstrapped PIM, one plain sync.
  const refPort = await freePort();
  const ref = await sandbox(dir, refPort, freshPim('reference'));
  const refConfig = writeConfig(join(dir, 'reference.yaml'), { pimUrl: ref.url, erpPath, items: ITEMS, state: join(dir, 'reference.db') });
  const started = Date.now();
  const run = await ferry(['sync', '--json', '--config', refConfig], dir);
  const summary = syncSummary(run.out);
  if (summary?.status !== 'succeeded') throw new Error(`the fault-free reference run did not succeed: ${run.out.slice(-2000)}`);
  const baseline = await snapshot(ref.url);
  await ref.stop();
  log(`reference: ${JSON.stringify(count(baseline))} in ${Date.now() - started} ms`);
  return { baseline };
}

/** Plain `ferry sync` until a run succeeds (MAX_RUNS at most); the runs it took. */
async function converge(config: string, maxRuns = MAX_RUNS): Promise<{ runs: number; last: ReturnType<typeof syncSummary>; outputs: string[] }> {
  const outputs: string[] = [];
  let last: ReturnType<typeof syncSummary> = null;
  for (let runs = 1; runs <= maxRuns; runs++) {
    const r = await ferry(['sync', '--json', '--config', config], dir);
    outputs.push(r.out);
    last = syncSummary(r.out);
    if (last?.status === 'succeeded') return { runs, last, outputs };
  }
  return { runs: maxRuns + 1, last, outputs };
}

/** The end state equals the reference, or the failure is noted. */
async function expectSame(label: string, url: string, baseline: Snapshot): Promise<boolean> {
  const snap = await snapshot(url);
  const diff = differences(baseline, snap);
  if (diff.length > 0) failures.push(`${label}: the PIM differs from the fault-free run: ${diff.join('; ')}`);
  return diff.length === 0;
}

async function faults(baseline: Snapshot) {
  const out = [];
  for (const seed of SEEDS) {
    const port = await freePort();
    const data = freshPim(`faults-${seed}`);
    const sb = await sandbox(dir, port, data, ['--faults', FAULTS, '--seed', String(seed)]);
    const config = writeConfig(join(dir, `faults-${seed}.yaml`), { pimUrl: sb.url, erpPath, items: ITEMS, state: join(dir, `faults-${seed}.db`) });
    const { runs, last } = await converge(config);
    const injected = Object.values((await sb.stats()).faultsInjected ?? {}).reduce((a, b) => a + b, 0);
    await sb.stop();
    if (runs > MAX_RUNS) failures.push(`faults seed ${seed}: no run succeeded in ${MAX_RUNS} (last: ${JSON.stringify(last)})`);
    // Compared on a fault-free restart of the same PIM state.
    const check = await sandbox(dir, port, data);
    const same = await expectSame(`faults seed ${seed}`, check.url, baseline);
    await check.stop();
    log(`faults seed ${seed}: ${injected} faults injected, ${runs} run(s) to converge, identical: ${same}`);
    out.push({ seed, faultsInjected: injected, runsToConverge: runs, identical: same });
  }
  return out;
}

/** Waits until the sandbox holds `target` products or the run ends; false when it ended first. */
async function waitForProducts(sb: Awaited<ReturnType<typeof sandbox>>, target: number, running: { child: { exitCode: number | null } }): Promise<boolean> {
  while (running.child.exitCode === null) {
    const s = await sb.stats().catch(() => null);
    if (s && s.products >= target) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

async function kills(baseline: Snapshot) {
  const total = count(baseline).products;
  const out = [];
  for (const [point, share] of [
    ['early', 0.1],
    ['middle', 0.5],
    ['near the end', 0.9],
  ] as const) {
    const port = await freePort();
    // Some latency, so even the small CI catalog takes long enough to be killed mid-way.
    const sb = await sandbox(dir, port, freshPim(`kill-${share}`), ['--latency', KILL_LATENCY]);
    const config = writeConfig(join(dir, `kill-${share}.yaml`), { pimUrl: sb.url, erpPath, items: ITEMS, state: join(dir, `kill-${share}.db`) });
    const running = ferryInBackground(['sync', '--json', '--config', config], dir);
    const reached = await waitForProducts(sb, Math.round(total * share), running);
    running.child.kill('SIGKILL');
    await running.done;
    const killedAt = (await sb.stats()).products;
    const { runs, last } = await converge(config);
    if (runs > MAX_RUNS) failures.push(`kill ${point}: no run succeeded afterwards (last: ${JSON.stringify(last)})`);
    const history = await ferry(['runs', '--json', '--config', config], dir);
    let rows: { id: number; status: string }[] = [];
    try {
      rows = JSON.parse(history.out.slice(history.out.indexOf('['))) as typeof rows;
    } catch {
      failures.push(`kill ${point}: ferry runs --json printed no history: ${history.out.slice(-500)}`);
    }
    const interrupted = rows.some((r) => r.status === 'interrupted');
    if (!reached) failures.push(`kill ${point}: the run ended before ${Math.round(share * 100)} % of the products were written (raise CHAOS_ITEMS)`);
    else if (!interrupted) failures.push(`kill ${point}: the history does not show the killed run as interrupted: ${JSON.stringify(rows)}`);
    const same = await expectSame(`kill ${point}`, sb.url, baseline);
    await sb.stop();
    log(`kill -9 ${point}: killed with ${killedAt}/${total} products written; ${runs} run(s) after; history ${rows.map((r) => `#${r.id} ${r.status}`).join(', ')}; identical: ${same}`);
    out.push({ point, productsWhenKilled: killedAt, runsAfter: runs, history: rows.map((r) => r.status), identical: same, survived: same && interrupted && reached });
  }
  return out;
}

async function sandboxRestart(baseline: Snapshot) {
  const total = count(baseline).products;
  const port = await freePort();
  const data = freshPim('restart');
  let sb = await sandbox(dir, port, data, ['--latency', KILL_LATENCY]);
  const config = writeConfig(join(dir, 'restart.yaml'), { pimUrl: sb.url, erpPath, items: ITEMS, state: join(dir, 'restart.db') });
  const running = ferryInBackground(['sync', '--json', '--config', config], dir);
  const reached = await waitForProducts(sb, Math.round(total * 0.4), running);
  await sb.kill();
  const downAt = Date.now();
  await new Promise((r) => setTimeout(r, 1500));
  sb = await sandbox(dir, port, data);
  const downMs = Date.now() - downAt;
  await running.done;
  const during = running.out();
  const duringSummary = syncSummary(during);
  // What the person sees: the sandbox's absence named in the warnings or the error.
  const saidSo = /ECONNREFUSED|ECONNRESET|refused|socket hang up|UND_ERR_SOCKET|other side closed/i.test(during);
  if (!reached) failures.push('sandbox restart: the run ended before the sandbox could be killed (raise CHAOS_ITEMS)');
  if (!saidSo) failures.push(`sandbox restart: nothing in Ferry's output says the PIM went away: ${during.slice(-1500)}`);
  // Writes the sandbox acknowledged in the last flush window before SIGKILL are lost with it
  // (its --data file is written every 200 ms): --verify --repair sends them again.
  // One plain run; a second with --verify --repair only when the PIM lost acknowledged writes.
  let { runs, last } = await converge(config, 1);
  runs = Math.min(runs, 1);
  let repaired = false;
  if (!(await snapshotMatches(sb.url, baseline))) {
    repaired = true;
    const r = await ferry(['sync', '--verify', '--repair', '--json', '--config', config], dir);
    last = syncSummary(r.out);
    runs++;
  }
  const same = await expectSame('sandbox restart', sb.url, baseline);
  await sb.stop();
  log(`sandbox restart: down ${downMs} ms; the run during it ended ${duringSummary?.status ?? 'without a summary'}; ${runs} run(s) to converge${repaired ? ' (with --verify --repair)' : ''}; identical: ${same}`);
  return { runDuringRestart: duringSummary?.status ?? null, ferrySaidSo: saidSo, runsToConverge: runs, neededRepair: repaired, identical: same, last: last?.status ?? null };
}

async function snapshotMatches(url: string, baseline: Snapshot): Promise<boolean> {
  return differences(baseline, await snapshot(url)).length === 0;
}

const started = Date.now();
const summary: Record<string, unknown> = { items: ITEMS, seeds: SEEDS, faults: FAULTS };
try {
  const wants = (part: string) => !ONLY || ONLY.includes(part);
  if (wants('a') || wants('b') || wants('c')) {
    const { baseline } = await prepare();
    summary.reference = count(baseline);
    if (wants('a')) summary.faultRuns = await faults(baseline);
    if (wants('b')) summary.kills = await kills(baseline);
    if (wants('c')) summary.sandboxRestart = await sandboxRestart(baseline);
  }
  if (wants('d')) {
    const bad = await runBadInput(dir);
    summary.badInput = bad.summary;
    failures.push(...bad.failures);
  }
} catch (err) {
  failures.push(`crashed: ${(err as Error).stack ?? String(err)}`);
}
const faultRuns = (summary.faultRuns as { faultsInjected: number; runsToConverge: number }[] | undefined) ?? [];
const killRuns = (summary.kills as { survived: boolean }[] | undefined) ?? [];
summary.totals = {
  faultsInjected: faultRuns.reduce((n, r) => n + r.faultsInjected, 0),
  maxRunsToConverge: Math.max(0, ...faultRuns.map((r) => r.runsToConverge)),
  killsSurvived: `${killRuns.filter((k) => k.survived).length}/${killRuns.length}`,
  badInputKinds: (summary.badInput as { kinds?: number } | undefined)?.kinds ?? 0,
  lostOrDuplicated: failures.filter((f) => /differs|duplicate|missing|not landed/.test(f)).length,
};
summary.durationMs = Date.now() - started;
summary.ok = failures.length === 0;
summary.failures = failures;
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
killAll();
if (!process.env.CHAOS_KEEP && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
process.exitCode = failures.length === 0 ? 0 : 1;
