/**
 * Schedule presets as cron expressions, and their fire times in a time zone (croner does the
 * calendar, daylight-saving changes included: a 02:30 slot on a spring-forward night fires
 * when the clock jumps, at 03:00 local; a fall-back night fires once).
 */
import { Cron } from 'croner';
import type { ScheduleSpec } from '../api/contract.js';

export class ScheduleSpecError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ScheduleSpecError';
  }
}

export function cronFor(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'nightly':
      return `${spec.minute ?? 0} ${spec.hour} * * *`;
    case 'everyHours':
      return spec.hours === 24 ? '0 0 * * *' : `0 */${spec.hours} * * *`;
    case 'every15Minutes':
      return '*/15 * * * *';
    case 'weeklyFull':
      return `0 ${spec.hour} * * ${spec.weekday}`;
    case 'cron':
      return spec.expression.trim();
  }
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A paused croner job (it never fires by itself: the Console's scheduler decides when to run). */
export function cronOf(spec: ScheduleSpec, timezone: string): Cron {
  if (!isValidTimezone(timezone)) throw new ScheduleSpecError(`${timezone} is not a time zone; write an IANA name such as Europe/Paris or UTC`, 'body.timezone');
  const expression = cronFor(spec);
  if (expression.split(/\s+/).length !== 5) throw new ScheduleSpecError(`"${expression}" is not a five-field cron expression (minute hour day month weekday)`, 'body.spec.expression');
  try {
    return new Cron(expression, { timezone, paused: true });
  } catch (err) {
    throw new ScheduleSpecError(`"${expression}" is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}`, 'body.spec.expression');
  }
}

/** The next `n` fire times strictly after `after`. */
export function nextFireTimes(spec: ScheduleSpec, timezone: string, after: Date, n = 5): Date[] {
  return cronOf(spec, timezone).nextRuns(n, after);
}

/** The latest fire time in (after, upTo], or null: the one slot a catch-up after downtime runs. */
export function latestDueSlot(spec: ScheduleSpec, timezone: string, after: Date, upTo: Date): Date | null {
  const cron = cronOf(spec, timezone);
  const first = cron.nextRun(after);
  if (!first || first.getTime() > upTo.getTime()) return null;
  // previousRuns counts back from upTo; ask for the one just at or before it.
  const last = cron.previousRuns(1, new Date(upTo.getTime() + 1))[0] ?? first;
  return last.getTime() > after.getTime() ? last : first;
}
