/**
 * The Console's schedules in the job queue (`jobs.workers` with a PostgreSQL state): each enabled
 * sync schedule is a pg-boss cron schedule (JobQueueApi.schedule), so exactly one worker fires each
 * occurrence, also while the Console is down, and the in-process scheduler leaves it alone.
 * Export schedules stay in-process: an export is not a queued run.
 *
 * The Console's table stays the source of truth (the form, the next fire times, the audit): every
 * create, edit, pause and delete is copied to the queue, and `syncAll` (at `ferry serve` start,
 * and when a saved configuration sends runs to the queue or to another queue database) makes the
 * queue's `console-<id>` schedules exactly the table's; `removeAll` takes them out when runs stop
 * going through that queue.
 */
import type { JobQueueApi, QueuedRunOptions } from '../../app/jobs.js';
import type { Logger } from '../../logging.js';
import { scrubSecrets } from '../../logging.js';
import { ConsoleScheduler } from './scheduler.js';
import { cronFor } from './spec.js';
import type { ScheduleRow, ScheduleStore } from './store.js';

const PREFIX = 'console-';

/** The queue's name of a Console schedule (names in the queue are letters, digits, - and _). */
export function queueScheduleName(id: number): string {
  return `${PREFIX}${id}`;
}

/** Whether the schedule's runs go through the queue (syncs do; exports run in the Console). */
export function firesInQueue(s: ScheduleRow): boolean {
  return ConsoleScheduler.modeOf(s) !== 'export';
}

function optionsOf(s: ScheduleRow): QueuedRunOptions {
  return ConsoleScheduler.modeOf(s) === 'full' ? { full: true } : {};
}

export class QueueSchedules {
  constructor(
    private readonly deps: {
      store: ScheduleStore;
      queue: () => Promise<JobQueueApi>;
      logger: Logger;
    },
  ) {}

  /** Puts the schedule in the queue as it is now (removed when paused, or when it became an export). */
  async apply(s: ScheduleRow): Promise<void> {
    const queue = await this.deps.queue();
    if (s.enabled && firesInQueue(s)) await queue.schedule(queueScheduleName(s.id), cronFor(s.spec), s.timezone, optionsOf(s), `schedule:${s.name}`);
    else await queue.unschedule(queueScheduleName(s.id));
  }

  async remove(id: number): Promise<void> {
    await (await this.deps.queue()).unschedule(queueScheduleName(id));
  }

  /**
   * The occurrences workers fired (each run a worker queued for `console-<id>` says so in its
   * options) recorded in the schedule's history like the Console's own, once per run; `runs` are
   * the latest runs. Occurrences a worker skipped (another run held the lock) leave no run and are
   * only in that worker's log.
   */
  recordWorkerOccurrences(runs: readonly { id: number; startedAt: string; schedule: string | null }[]): number {
    let added = 0;
    for (const r of runs) {
      if (!r.schedule?.startsWith(PREFIX)) continue;
      const id = Number(r.schedule.slice(PREFIX.length));
      if (!Number.isInteger(id) || !this.deps.store.get(id) || this.deps.store.hasOccurrenceOfRun(id, r.id)) continue;
      // pg-boss fires at the top of the occurrence's minute: that minute is the slot.
      const slot = new Date(Math.floor(Date.parse(r.startedAt) / 60_000) * 60_000).toISOString();
      this.deps.store.addOccurrence({ scheduleId: id, scheduledFor: slot, firedAt: r.startedAt, outcome: 'started', runId: r.id, reason: null });
      added++;
    }
    return added;
  }

  /** The queue's Console schedules made the table's: each one applied, the ones gone from the table removed. */
  async syncAll(): Promise<void> {
    const rows = this.deps.store.list();
    for (const s of rows) await this.apply(s);
    const known = new Set(rows.map((s) => queueScheduleName(s.id)));
    const queue = await this.deps.queue();
    for (const q of await queue.schedules()) if (q.name.startsWith(PREFIX) && !known.has(q.name)) await queue.unschedule(q.name);
  }

  /** Every Console schedule out of the queue (runs stopped going through it): the Console fires them again. */
  async removeAll(): Promise<void> {
    const queue = await this.deps.queue();
    for (const q of await queue.schedules()) if (q.name.startsWith(PREFIX)) await queue.unschedule(q.name);
  }

  /**
   * `apply` or `remove` for a route: a queue that does not answer must not lose the edit, which is
   * saved in the Console's table; the next `ferry serve` start copies it (the error is logged).
   */
  async tryApply(work: () => Promise<void>, what: string): Promise<string | null> {
    try {
      await work();
      return null;
    } catch (err) {
      const message = scrubSecrets(err instanceof Error ? err.message : String(err));
      this.deps.logger.warn({ err: message, schedule: what }, 'could not update the schedule in the job queue');
      return message;
    }
  }
}
