/**
 * The rules: which run outcomes and situations notify, in plain words, on which channels.
 * - Run outcomes (failed, rejects ≥ N or ≥ X %, back to normal) are judged for every run
 *   that finished since the last look, whoever started it (Console, schedule or terminal).
 * - Situations (a run stuck past T minutes, no success for D hours) are judged on each tick.
 * Each (rule, subject) notifies once. A failing channel is recorded on its deliveries and
 * never reaches the run.
 */
import type { Logger } from '../../logging.js';
import { scrubSecrets } from '../../logging.js';
import type { RunHistory } from '../../sync/state/run-history.js';
import { deliver, type DeliveryResult, type Message, type SendOptions } from './senders.js';
import type { NotifyStore, RuleRow } from './store.js';

interface RunFacts {
  id: number;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  counts: { read: number; created: number; updated: number; unchanged: number; rejected: number; skipped: number; deleted: number } | null;
  rejects: { label: string; message: string; fix?: string | null }[];
  error: string | null;
}

export interface NotifierDeps {
  /** The engine's run history (the state store's read port). */
  history: RunHistory;
  store: NotifyStore;
  /** The Console's address for links (`http://127.0.0.1:8080`). */
  publicUrl: string;
  clock?: () => number;
  logger?: Logger;
  send?: SendOptions;
}

const CURSOR = 'last_evaluated_run';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class Notifier {
  private readonly clock: () => number;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NotifierDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Starts after the history that exists: a new Console does not notify about last year's runs. */
  async init(): Promise<void> {
    if (this.deps.store.getCursor(CURSOR) === null) this.deps.store.setCursor(CURSOR, String(await this.maxFinishedRunId()));
  }

  runLink(runId: number): string {
    return `${this.deps.publicUrl.replace(/\/+$/, '')}/runs/${runId}`;
  }

  private async maxFinishedRunId(): Promise<number> {
    return (await this.deps.history.listRuns({ finished: true }, { offset: 0, limit: 1 })).items[0]?.id ?? 0;
  }

  private async runFacts(id: number): Promise<RunFacts | null> {
    const r = await this.deps.history.getRunWithOptions(id);
    if (!r) return null;
    const report = r.report as { counts?: RunFacts['counts']; rejects?: RunFacts['rejects']; error?: string } | null;
    return {
      id: r.id,
      mode: r.mode,
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      counts: report?.counts ?? null,
      rejects: report?.rejects ?? [],
      error: report?.error ?? null,
    };
  }

  /** Judges every run that finished since the last look (serialised: two calls never judge a run twice). */
  evaluateFinishedRuns(): Promise<void> {
    this.busy = this.busy.then(() => this.evaluateOnce()).catch((err: unknown) => this.deps.logger?.warn({ err: scrubSecrets(String(err)) }, 'notification rules failed'));
    return this.busy;
  }

  private async evaluateOnce(): Promise<void> {
    const { store, history } = this.deps;
    const after = Number(store.getCursor(CURSOR) ?? '0');
    const ids = (await history.listRuns({ afterId: after, finished: true }, { offset: 0, limit: null, order: 'asc' })).items.map((r) => r.id);
    // A run still going below a finished one keeps the cursor back, so it is judged when it ends.
    const stillRunning = (await history.listRuns({ afterId: after, finished: false }, { offset: 0, limit: 1, order: 'asc' })).items[0]?.id ?? null;
    const rules = store.listRules().filter((r) => r.enabled);
    let cursor = after;
    for (const id of ids) {
      if (stillRunning === null || id < stillRunning) cursor = id;
      const run = await this.runFacts(id);
      if (!run) continue;
      for (const rule of rules) {
        const message = await this.judgeRun(rule, run);
        if (message && store.markFired(rule.id, `run:${run.id}`)) await this.send(rule, message);
      }
    }
    if (cursor > after) store.setCursor(CURSOR, String(cursor));
  }

  private async judgeRun(rule: RuleRow, run: RunFacts): Promise<Message | null> {
    const c = run.counts;
    const link = this.runLink(run.id);
    const countsLine = c
      ? `It read ${plural(c.read, 'record')}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected, ${c.skipped} skipped.`
      : 'It wrote no report.';
    const firstRejects = run.rejects
      .slice(0, 5)
      .map((r) => `- ${r.message}${r.fix ? ` → ${r.fix}` : ''}`)
      .join('\n');
    const base = { runId: run.id, link, data: { runId: run.id, mode: run.mode, status: run.status, counts: c } };
    switch (rule.kind) {
      case 'run_failed':
        if (run.status !== 'failed') return null;
        return {
          ...base,
          event: 'run_failed',
          subject: `Ferry: run #${run.id} failed`,
          text: `The ${run.mode} run #${run.id} failed${run.error ? `: ${run.error}` : ''}.\n${countsLine}\nThe next run starts where this one stopped.`,
        };
      case 'rejects_count':
      case 'rejects_percent': {
        if (!c || c.rejected === 0) return null;
        const percent = c.read > 0 ? (c.rejected / c.read) * 100 : 0;
        const hit = rule.kind === 'rejects_count' ? c.rejected >= (rule.threshold ?? Infinity) : percent >= (rule.threshold ?? Infinity);
        if (!hit) return null;
        return {
          ...base,
          event: rule.kind,
          subject: `Ferry: run #${run.id} rejected ${plural(c.rejected, 'record')}`,
          text: `The ${run.mode} run #${run.id} could not send ${plural(c.rejected, 'record')} to the PIM (${percent.toFixed(1)} % of what it read).\n${countsLine}\nThe first problems and how to fix them:\n${firstRejects}`,
        };
      }
      case 'back_to_normal': {
        if (run.status !== 'succeeded' && run.status !== 'rejects') return null;
        const prev = (await this.deps.history.listRuns({ beforeId: run.id, finished: true }, { offset: 0, limit: 1 })).items[0];
        if (prev?.status !== 'failed') return null;
        return { ...base, event: 'back_to_normal', subject: `Ferry: back to normal (run #${run.id})`, text: `The ${run.mode} run #${run.id} went through after a failed run.\n${countsLine}` };
      }
      default:
        return null;
    }
  }

  /**
   * A run that could not even start (PIM or ERP unreachable, credentials refused) leaves no
   * history row; the run_failed rules still hear of it.
   */
  async runCouldNotStart(jobId: string, error: string, startedBy: string): Promise<void> {
    for (const rule of this.deps.store.listRules()) {
      if (!rule.enabled || rule.kind !== 'run_failed' || !this.deps.store.markFired(rule.id, `job:${jobId}`)) continue;
      await this.send(rule, {
        event: 'run_failed',
        runId: null,
        link: `${this.deps.publicUrl.replace(/\/+$/, '')}/runs`,
        subject: 'Ferry: a run could not start',
        text: `A run started by ${startedBy} could not start: ${error}\nNothing was written. Check that the PIM and the ERP answer (the dashboard shows both).`,
        data: { jobId, startedBy, error },
      });
    }
  }

  /** Situations: runs stuck past their time, and too long without a successful run. */
  async tick(): Promise<void> {
    await this.evaluateFinishedRuns();
    const { store, history } = this.deps;
    const now = this.clock();
    for (const rule of store.listRules().filter((r) => r.enabled)) {
      if (rule.kind === 'stuck' && rule.threshold !== null) {
        const cutoff = new Date(now - rule.threshold * 60_000).toISOString();
        const stuck = (await history.listRuns({ finished: false, startedAtOrBefore: cutoff }, { offset: 0, limit: null, order: 'asc' })).items;
        for (const r of stuck) {
          if (!store.markFired(rule.id, `run:${r.id}`)) continue;
          await this.send(rule, {
            event: 'stuck',
            runId: r.id,
            link: this.runLink(r.id),
            subject: `Ferry: run #${r.id} has not finished after ${rule.threshold} minutes`,
            text: `The ${r.mode} run #${r.id} started at ${r.startedAt} and is still going after ${plural(rule.threshold, 'minute')}. It may be waiting on a slow PIM or ERP; you can cancel it from the run page.`,
            data: { runId: r.id, startedAt: r.startedAt },
          });
        }
      }
      if (rule.kind === 'no_success' && rule.threshold !== null) {
        const last = (await history.listRuns({ statuses: ['succeeded', 'rejects'] }, { offset: 0, limit: 1 })).items[0];
        const since = last?.finishedAt ?? rule.createdAt;
        if (now - Date.parse(since) < rule.threshold * 3_600_000) continue;
        if (!store.markFired(rule.id, `since:${since}`)) continue;
        await this.send(rule, {
          event: 'no_success',
          runId: null,
          link: `${this.deps.publicUrl.replace(/\/+$/, '')}/runs`,
          subject: `Ferry: no successful run for ${plural(rule.threshold, 'hour')}`,
          text: last
            ? `The last run that went through finished at ${since}, more than ${plural(rule.threshold, 'hour')} ago. Check the schedules and the last runs.`
            : `No run has gone through since this rule was set up (${since}). Check the schedules and the last runs.`,
          data: { lastSuccessAt: last?.finishedAt ?? null },
        });
      }
    }
  }

  private async send(rule: RuleRow, message: Message): Promise<void> {
    for (const id of rule.channelIds) {
      const channel = this.deps.store.getChannel(id);
      if (!channel || !channel.enabled) continue;
      const result = await deliver(channel.settings, message, this.deps.send);
      this.deps.store.addDelivery({ channelId: id, event: message.event, runId: message.runId, ok: result.ok, attempts: result.attempts, error: result.error });
      if (!result.ok) this.deps.logger?.warn({ channel: channel.name, err: result.error }, 'notification not delivered');
    }
  }

  /** The channel page's Send test. */
  async sendTest(channelId: number): Promise<DeliveryResult | null> {
    const channel = this.deps.store.getChannel(channelId);
    if (!channel) return null;
    const message: Message = {
      event: 'test',
      runId: null,
      link: `${this.deps.publicUrl.replace(/\/+$/, '')}/notifications`,
      subject: 'Ferry: test message',
      text: `This is a test from the Ferry Console. If you read it, the channel "${channel.name}" works.`,
      data: { test: true },
    };
    const result = await deliver(channel.settings, message, this.deps.send);
    this.deps.store.addDelivery({ channelId, event: 'test', runId: null, ok: result.ok, attempts: result.attempts, error: result.error });
    return result;
  }
}
