/** Numbers, dates and durations in the plain words the Console shows Julia. */

const number = new Intl.NumberFormat('en-GB');

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : number.format(n);
}

/** 950 → "less than a second", 83_000 → "1 min 23 s", 7_380_000 → "2 h 3 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return 'less than a second';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (timeZone) return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
  return dateTime.format(d);
}

/** "3 minutes ago", "in 2 hours", "in 30 hours", "3 days ago". */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '–';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return diff < 0 ? 'just now' : 'in a few seconds';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  // Under two days in hours: "tomorrow" for something 30 hours away would name the wrong day.
  if (abs < 2 * 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  return new Intl.RelativeTimeFormat('en', { numeric: 'always' }).format(Math.round(diff / 86_400), 'day');
}

export const statusLabel: Record<string, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  rejects: 'Done, some refused',
  failed: 'Failed',
  interrupted: 'Stopped',
  cancelling: 'Stopping…',
};

export const modeLabel: Record<string, string> = {
  delta: 'Changes only',
  full: 'Everything',
  keys: 'Chosen SKUs',
  category: 'One category',
  since: 'Changed since a date',
  retry: 'Retry refused',
  export: 'Export to the ERP (PIM → ERP)',
};

export const outcomeLabel: Record<string, string> = {
  created: 'Created',
  updated: 'Updated',
  unchanged: 'Unchanged',
  rejected: 'Refused',
  skipped: 'Skipped',
  disabled: 'Disabled',
  deleted: 'Removed',
};

export const entityLabel: Record<string, string> = {
  product: 'Products',
  product_model: 'Product models',
  category: 'Categories',
  option: 'Attribute options',
};

/** `user:julia` → "julia", `schedule:Nightly` → "schedule “Nightly”", `cli` → "a terminal". */
export function startedByLabel(startedBy: string | null): string {
  if (!startedBy) return '–';
  if (startedBy === 'cli') return 'a terminal';
  const [kind, ...rest] = startedBy.split(':');
  const who = rest.join(':');
  if (kind === 'user') return who;
  if (kind === 'schedule') return `schedule “${who}”`;
  if (kind === 'token') return `API token ${who}`;
  return startedBy;
}

export const entitySingular: Record<string, string> = {
  product: 'Product',
  product_model: 'Product model',
  category: 'Category',
  option: 'Attribute option',
};
