/**
 * The Console's scheduler driven by a fake clock: presets as cron, time zones across a DST
 * change, a slot that meets a run going (skipped, not queued), catch-up after downtime (one
 * run, not one per missed slot), and schedules that survive a restart (they live in the DB).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleScheduler, type ScheduleRunner } from '../../src/server/schedules/scheduler.js';
import { cronFor, nextFireTimes } from '../../src/server/schedules/spec.js';
import { ScheduleStore } from '../../src/server/schedules/store.js';
import { openConsoleDb, type ConsoleDb } from '../../src/server/store/db.js';
import { openStateStore } from '../../src/sync/index.js';
import { tempDirs } from '../sync/support/e2e.js';

const tempDir = tempDirs('ferry-console-sched-');
const dbs: ConsoleDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

async function openDb(path = join(tempDir(), 'ferry.db')): Promise<{ db: ConsoleDb; path: string }> {
  await (await openStateStore({ driver: 'sqlite', path })).close();
  const db = openConsoleDb(path);
  dbs.push(db);
  return { db, path };
}

function fakeClock(iso: string) {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set: (to: string) => {
      now = Date.parse(to);
    },
  };
}

function recordingRunner(): ScheduleRunner & { started: { mode: string; by: string }[]; busyWith: string | null } {
  const r = {
    started: [] as { mode: string; by: string }[],
    busyWith: null as string | null,
    busy: () => r.busyWith,
    start: async (mode: 'delta' | 'full', by: string) => {
      r.started.push({ mode, by });
      return { runId: r.started.length };
    },
  };
  return r;
}

describe('schedule presets', () => {
  it('turn into cron expressions', () => {
    expect(cronFor({ kind: 'nightly', hour: 2, minute: 30 })).toBe('30 2 * * *');
    expect(cronFor({ kind: 'everyHours', hours: 4 })).toBe('0 */4 * * *');
    expect(cronFor({ kind: 'every15Minutes' })).toBe('*/15 * * * *');
    expect(cronFor({ kind: 'weeklyFull', weekday: 0, hour: 3 })).toBe('0 3 * * 0');
    expect(cronFor({ kind: 'cron', expression: ' 5 4 * * 1-5 ' })).toBe('5 4 * * 1-5');
  });

  it('fire at local time across the spring-forward night (Europe/Paris, 29 March 2026)', () => {
    const runs = nextFireTimes({ kind: 'nightly', hour: 2, minute: 30 }, 'Europe/Paris', new Date('2026-03-27T12:00:00Z'), 4).map((d) => d.toISOString());
    // 02:30 CET = 01:30Z; on the 29th 02:30 does not exist: it runs as the clock jumps, 03:00 CEST = 01:00Z; then 02:30 CEST = 00:30Z.
    expect(runs).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
  });

  it('fire once on the fall-back night (America/New_York, 1 November 2026)', () => {
    const runs = nextFireTimes({ kind: 'nightly', hour: 1, minute: 30 }, 'America/New_York', new Date('2026-10-31T12:00:00Z'), 3).map((d) => d.toISOString());
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.slice(0, 10))).size).toBe(3);
    expect(runs[0]).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, the first of the two 01:30s
    expect(runs[1]).toBe('2026-11-02T06:30:00.000Z'); // 01:30 EST
  });

  it('every 15 minutes gives the quarter hours', () => {
    const runs = nextFireTimes({ kind: 'every15Minutes' }, 'UTC', new Date('2026-05-01T10:07:00Z'), 3).map((d) => d.toISOString());
    expect(runs).toEqual(['2026-05-01T10:15:00.000Z', '2026-05-01T10:30:00.000Z', '2026-05-01T10:45:00.000Z']);
  });
});

describe('ConsoleScheduler with a fake clock', () => {
  it('starts a run at its slot, once; nothing before; weekly full runs full', async () => {
    const { db } = await openDb();
    const clock = fakeClock('2026-06-01T20:00:00Z');
    const store = new ScheduleStore(db, clock.now);
    const runner = recordingRunner();
    const lags: number[] = [];
    const scheduler = new ConsoleScheduler({ store, runner, clock: clock.now, onLag: (s) => lags.push(s) });
    store.create({ name: 'Nightly', spec: { kind: 'nightly', hour: 2, minute: 0 }, timezone: 'Europe/Paris', mode: 'delta', enabled: true });
    store.create({ name: 'Weekly', spec: { kind: 'weeklyFull', weekday: 2, hour: 4 }, timezone: 'UTC', mode: 'delta', enabled: true });
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-06-01T23:59:59Z'); // 01:59:59 in Paris
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-06-02T00:00:03Z'); // 02:00:03 in Paris
    const fired = await scheduler.tick();
    expect(fired).toMatchObject([{ outcome: 'started', scheduledFor: '2026-06-02T00:00:00.000Z', runId: 1 }]);
    expect(lags).toEqual([3]);
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-06-02T04:00:00Z'); // Tuesday 04:00 UTC
    await scheduler.tick();
    expect(runner.started).toEqual([
      { mode: 'delta', by: 'schedule:Nightly' },
      { mode: 'full', by: 'schedule:Weekly' },
    ]);
  });

  it('records a skipped occurrence when a run is going, instead of queueing', async () => {
    const { db } = await openDb();
    const clock = fakeClock('2026-06-01T10:01:00Z');
    const store = new ScheduleStore(db, clock.now);
    const runner = recordingRunner();
    const scheduler = new ConsoleScheduler({ store, runner, clock: clock.now });
    const s = store.create({ name: 'Quarter', spec: { kind: 'every15Minutes' }, timezone: 'UTC', mode: 'delta', enabled: true });
    runner.busyWith = 'another sync (run #7) was going';
    clock.set('2026-06-01T10:15:01Z');
    expect(await scheduler.tick()).toMatchObject([{ outcome: 'skipped', runId: null, reason: expect.stringContaining('run #7') }]);
    clock.set('2026-06-01T10:30:01Z');
    await scheduler.tick();
    runner.busyWith = null;
    clock.set('2026-06-01T10:45:01Z');
    expect(await scheduler.tick()).toMatchObject([{ outcome: 'started' }]);
    expect(runner.started).toHaveLength(1);
    const history = store.occurrences(s.id, 1, 10);
    expect(history.items.map((o) => o.outcome)).toEqual(['started', 'skipped', 'skipped']);
  });

  it('after downtime runs a missed schedule once, not once per missed slot; survives a restart', async () => {
    const { db, path } = await openDb();
    const clock = fakeClock('2026-06-01T12:00:00Z');
    const store = new ScheduleStore(db, clock.now);
    const s = store.create({ name: 'Nightly', spec: { kind: 'nightly', hour: 2, minute: 0 }, timezone: 'UTC', mode: 'delta', enabled: true });
    const runner = recordingRunner();
    await new ConsoleScheduler({ store, runner, clock: clock.now }).tick();
    db.close();
    dbs.splice(dbs.indexOf(db), 1);

    // Four nights later the Console comes back (a new process on the same file).
    clock.set('2026-06-05T09:00:00Z');
    const db2 = openConsoleDb(path);
    dbs.push(db2);
    const store2 = new ScheduleStore(db2, clock.now);
    expect(store2.list().map((x) => x.name)).toEqual(['Nightly']);
    const scheduler = new ConsoleScheduler({ store: store2, runner, clock: clock.now });
    const fired = await scheduler.tick();
    expect(fired).toMatchObject([{ outcome: 'started', scheduledFor: '2026-06-05T02:00:00.000Z', reason: expect.stringContaining('late') }]);
    expect(await scheduler.tick()).toEqual([]);
    expect(runner.started).toHaveLength(1);
    expect(scheduler.nextRuns(store2.get(s.id)!)).toEqual([
      '2026-06-06T02:00:00.000Z',
      '2026-06-07T02:00:00.000Z',
      '2026-06-08T02:00:00.000Z',
      '2026-06-09T02:00:00.000Z',
      '2026-06-10T02:00:00.000Z',
    ]);
  });

  it('a disabled schedule never fires and has no next runs; a run that cannot start is a failed occurrence', async () => {
    const { db } = await openDb();
    const clock = fakeClock('2026-06-01T00:00:00Z');
    const store = new ScheduleStore(db, clock.now);
    const off = store.create({ name: 'Off', spec: { kind: 'everyHours', hours: 1 }, timezone: 'UTC', mode: 'delta', enabled: false });
    store.create({ name: 'Broken', spec: { kind: 'everyHours', hours: 1 }, timezone: 'UTC', mode: 'delta', enabled: true });
    const runner: ScheduleRunner = {
      busy: () => null,
      start: async () => {
        throw new Error('the PIM refused the credentials');
      },
    };
    const scheduler = new ConsoleScheduler({ store, runner, clock: clock.now });
    expect(scheduler.nextRuns(off)).toEqual([]);
    clock.set('2026-06-01T01:00:10Z');
    expect(await scheduler.tick()).toMatchObject([{ outcome: 'failed', reason: 'the PIM refused the credentials' }]);
  });
});
