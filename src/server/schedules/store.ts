/** Schedules and their occurrences (started / skipped / failed), in the console_* tables. */
import type { ScheduleMode, ScheduleSpec } from '../api/contract.js';
import { nowIso, parseJsonColumn, type ConsoleDb } from '../store/db.js';

export interface ScheduleRow {
  id: number;
  name: string;
  spec: ScheduleSpec;
  timezone: string;
  mode: ScheduleMode;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface OccurrenceRow {
  id: number;
  scheduleId: number;
  scheduledFor: string;
  firedAt: string;
  outcome: 'started' | 'skipped' | 'failed';
  runId: number | null;
  reason: string | null;
}

interface DbSchedule {
  id: number;
  name: string;
  spec: string;
  timezone: string;
  mode: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

function toSchedule(r: DbSchedule): ScheduleRow {
  return {
    id: r.id,
    name: r.name,
    spec: parseJsonColumn<ScheduleSpec>(r.spec, { kind: 'cron', expression: '0 0 31 2 *' }),
    timezone: r.timezone,
    mode: r.mode as ScheduleRow['mode'],
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface DbOccurrence {
  id: number;
  schedule_id: number;
  scheduled_for: string;
  fired_at: string;
  outcome: string;
  run_id: number | null;
  reason: string | null;
}

function toOccurrence(r: DbOccurrence): OccurrenceRow {
  return { id: r.id, scheduleId: r.schedule_id, scheduledFor: r.scheduled_for, firedAt: r.fired_at, outcome: r.outcome as OccurrenceRow['outcome'], runId: r.run_id, reason: r.reason };
}

export type ScheduleFields = Pick<ScheduleRow, 'name' | 'spec' | 'timezone' | 'mode' | 'enabled'>;

export class ScheduleStore {
  constructor(
    private readonly db: ConsoleDb,
    private readonly clock: () => number = Date.now,
  ) {}

  list(): ScheduleRow[] {
    return (this.db.prepare('SELECT * FROM console_schedules ORDER BY id').all() as DbSchedule[]).map(toSchedule);
  }

  get(id: number): ScheduleRow | null {
    const r = this.db.prepare('SELECT * FROM console_schedules WHERE id = ?').get(id) as DbSchedule | undefined;
    return r ? toSchedule(r) : null;
  }

  create(f: ScheduleFields): ScheduleRow {
    const now = nowIso(this.clock);
    const res = this.db
      .prepare('INSERT INTO console_schedules (name, spec, timezone, mode, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(f.name, JSON.stringify(f.spec), f.timezone, f.mode, f.enabled ? 1 : 0, now, now);
    return this.get(Number(res.lastInsertRowid))!;
  }

  update(id: number, f: ScheduleFields): ScheduleRow | null {
    const res = this.db
      .prepare('UPDATE console_schedules SET name = ?, spec = ?, timezone = ?, mode = ?, enabled = ?, updated_at = ? WHERE id = ?')
      .run(f.name, JSON.stringify(f.spec), f.timezone, f.mode, f.enabled ? 1 : 0, nowIso(this.clock), id);
    return res.changes > 0 ? this.get(id) : null;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM console_schedules WHERE id = ?').run(id).changes > 0;
  }

  lastOccurrence(scheduleId: number): OccurrenceRow | null {
    const r = this.db.prepare('SELECT * FROM console_schedule_occurrences WHERE schedule_id = ? ORDER BY scheduled_for DESC, id DESC LIMIT 1').get(scheduleId) as
      | DbOccurrence
      | undefined;
    return r ? toOccurrence(r) : null;
  }

  addOccurrence(o: Omit<OccurrenceRow, 'id'>): OccurrenceRow {
    const res = this.db
      .prepare('INSERT INTO console_schedule_occurrences (schedule_id, scheduled_for, fired_at, outcome, run_id, reason) VALUES (?, ?, ?, ?, ?, ?)')
      .run(o.scheduleId, o.scheduledFor, o.firedAt, o.outcome, o.runId, o.reason);
    return { ...o, id: Number(res.lastInsertRowid) };
  }

  hasOccurrenceOfRun(scheduleId: number, runId: number): boolean {
    return this.db.prepare('SELECT 1 FROM console_schedule_occurrences WHERE schedule_id = ? AND run_id = ?').get(scheduleId, runId) !== undefined;
  }

  occurrences(scheduleId: number, page: number, pageSize: number): { items: OccurrenceRow[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM console_schedule_occurrences WHERE schedule_id = ?').get(scheduleId) as { n: number }).n;
    const rows = this.db
      .prepare('SELECT * FROM console_schedule_occurrences WHERE schedule_id = ? ORDER BY scheduled_for DESC, id DESC LIMIT ? OFFSET ?')
      .all(scheduleId, pageSize, (page - 1) * pageSize) as DbOccurrence[];
    return { total, items: rows.map(toOccurrence) };
  }
}
