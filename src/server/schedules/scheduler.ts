/**
 * The Console's scheduler. It owns no croner timers: `tick(now)` looks at every enabled
 * schedule and fires what is due, so a fake clock drives it in tests and a restart after
 * downtime behaves like one late tick:
 * - a slot is due when it lies after the schedule's last occurrence (or its last edit) and
 *   at or before now; of several missed slots only the latest runs (once, not once per slot);
 * - while a run of the connection goes (this server's or a terminal's), the slot is recorded
 *   as a skipped occurrence instead of queued.
 */
import type { Logger } from '../../logging.js';
import type { ScheduleMode } from '../api/contract.js';
import { latestDueSlot, nextFireTimes } from './spec.js';
import type { OccurrenceRow, ScheduleRow, ScheduleStore } from './store.js';

export interface ScheduleRunner {
  /** Why a run cannot start now (a run is going), or null. */
  busy(): string | null;
  /** Starts the run; resolves with its id once numbered (null if not known yet). */
  start(mode: ScheduleMode, startedBy: string): Promise<{ runId: number | null }>;
}

export interface SchedulerDeps {
  store: ScheduleStore;
  runner: ScheduleRunner;
  clock?: () => number;
  logger?: Logger;
  onLag?: (seconds: number) => void;
  /** Longest sleep between ticks (ms); a tick also happens at each schedule's next slot. */
  maxSleepMs?: number;
  /**
   * Whether this scheduler fires the schedule (default: every one). With the job queue, sync
   * schedules are pg-boss cron schedules the workers fire (queue-schedules.ts): not fired here.
   */
  fires?: (s: ScheduleRow) => boolean;
}

export class ConsoleScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private ticking: Promise<OccurrenceRow[]> | null = null;
  private readonly clock: () => number;

  constructor(private readonly deps: SchedulerDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** The run a schedule starts: weekly full runs are full syncs whatever the mode says. */
  static modeOf(s: ScheduleRow): ScheduleMode {
    return s.spec.kind === 'weeklyFull' ? 'full' : s.mode;
  }

  nextRuns(s: ScheduleRow, n = 5): string[] {
    if (!s.enabled) return [];
    return nextFireTimes(s.spec, s.timezone, new Date(this.clock()), n).map((d) => d.toISOString());
  }

  /** The soonest next slot over the enabled schedules (`firedHere`: only those this scheduler fires). */
  nextDue(firedHere = false): { schedule: ScheduleRow; at: Date } | null {
    let best: { schedule: ScheduleRow; at: Date } | null = null;
    for (const s of this.deps.store.list()) {
      if (!s.enabled || (firedHere && !this.firesHere(s))) continue;
      const at = nextFireTimes(s.spec, s.timezone, new Date(this.clock()), 1)[0];
      if (at && (!best || at < best.at)) best = { schedule: s, at };
    }
    return best;
  }

  private firesHere(s: ScheduleRow): boolean {
    return this.deps.fires?.(s) ?? true;
  }

  /** Fires every schedule that is due now; returns the occurrences recorded. Never runs twice at once. */
  async tick(): Promise<OccurrenceRow[]> {
    if (this.ticking) return this.ticking;
    this.ticking = this.tickOnce().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<OccurrenceRow[]> {
    const { store, runner, logger } = this.deps;
    const now = new Date(this.clock());
    const recorded: OccurrenceRow[] = [];
    for (const s of store.list()) {
      if (!s.enabled || !this.firesHere(s)) continue;
      const last = store.lastOccurrence(s.id);
      const since = new Date(Math.max(last ? Date.parse(last.scheduledFor) : 0, Date.parse(s.updatedAt)));
      let slot: Date | null;
      try {
        slot = latestDueSlot(s.spec, s.timezone, since, now);
      } catch (err) {
        logger?.warn({ scheduleId: s.id, err: String(err) }, 'schedule cannot be computed');
        continue;
      }
      if (!slot) continue;
      const lagSeconds = (now.getTime() - slot.getTime()) / 1000;
      this.deps.onLag?.(lagSeconds);
      const base = { scheduleId: s.id, scheduledFor: slot.toISOString(), firedAt: now.toISOString() };
      const busy = runner.busy();
      if (busy) {
        recorded.push(store.addOccurrence({ ...base, outcome: 'skipped', runId: null, reason: `${busy}; this slot was skipped, the next one runs as usual` }));
        continue;
      }
      try {
        const { runId } = await runner.start(ConsoleScheduler.modeOf(s), `schedule:${s.name}`);
        recorded.push(store.addOccurrence({ ...base, outcome: 'started', runId, reason: lagSeconds > 120 ? `started late (the slot was missed while the Console was down)` : null }));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const conflict = (err as { name?: string }).name === 'RunConflictError';
        recorded.push(store.addOccurrence({ ...base, outcome: conflict ? 'skipped' : 'failed', runId: null, reason }));
      }
    }
    return recorded;
  }

  start(): void {
    this.running = true;
    void this.tick().finally(() => this.arm());
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get started(): boolean {
    return this.running;
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.nextDue(true);
    const max = this.deps.maxSleepMs ?? 60_000;
    const wait = next ? Math.min(max, Math.max(200, next.at.getTime() - this.clock() + 50)) : max;
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((err: unknown) => this.deps.logger?.error({ err: String(err) }, 'scheduler tick failed'))
        .finally(() => this.arm());
    }, wait);
    this.timer.unref();
  }
}
