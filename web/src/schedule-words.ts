/** A schedule's rhythm in the words the Schedules page shows. */
import type { ScheduleSpec } from '../../src/server/api/contract.js';

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number) => String(n).padStart(2, '0');

/** A schedule's rhythm in words. */
export function describeSpec(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'nightly':
      return `Every night at ${pad(spec.hour)}:${pad(spec.minute ?? 0)}`;
    case 'everyHours':
      return spec.hours === 1 ? 'Every hour' : `Every ${spec.hours} hours`;
    case 'every15Minutes':
      return 'Every 15 minutes';
    case 'weeklyFull':
      return `Every ${WEEKDAYS[spec.weekday]} at ${pad(spec.hour)}:00, everything`;
    case 'cron':
      return `Cron: ${spec.expression}`;
  }
  return 'Unknown rhythm';
}

