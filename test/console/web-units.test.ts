/** The Console's pure helpers (web/src): plain words, the category picker, pasted SKUs, roles, query strings. */
import { describe, expect, it } from 'vitest';
import { withQuery } from '../../web/src/api/http.js';
import { categoryOptions, parseKeys } from '../../web/src/categories.js';
import { formatDuration, formatRelative, startedByLabel } from '../../web/src/format.js';
import { changeLabel, formatPlanValue } from '../../web/src/plan-values.js';
import { can } from '../../web/src/roles.js';
import { rejectPlaces } from '../../web/src/reject-places.js';
import { fieldErrors } from '../../web/src/validation.js';
import { ruleInputSchema, scheduleInputSchema } from '../../src/server/api/contract.js';
import { describeSpec } from '../../web/src/schedule-words.js';

describe('Console helpers', () => {
  it('forms check with the server\'s own schemas, naming the field', () => {
    expect(fieldErrors(ruleInputSchema, { kind: 'stuck', threshold: null, channelIds: [1] })).toEqual({ threshold: 'rule stuck needs a threshold' });
    expect(Object.keys(fieldErrors(ruleInputSchema, { kind: 'run_failed', threshold: null, channelIds: [] }))).toEqual(['channelIds']);
    expect(fieldErrors(ruleInputSchema, { kind: 'rejects_percent', threshold: 5, channelIds: [2] })).toEqual({});
    expect(Object.keys(fieldErrors(scheduleInputSchema, { name: '', spec: { kind: 'cron', expression: '* *' }, timezone: 'UTC' })).sort()).toEqual(['name', 'spec.expression']);
  });

  it("a dry run's planned values in plain words", () => {
    expect(formatPlanValue({ amount: '987.5', unit: 'KILOGRAM' })).toBe('987.5 KILOGRAM');
    expect(formatPlanValue([{ amount: '10.00', currency: 'EUR' }, { amount: '12.00', currency: 'USD' }])).toBe('10.00 EUR, 12.00 USD');
    expect(formatPlanValue(null)).toBe('(empty)');
    expect(formatPlanValue([])).toBe('(empty)');
    expect(formatPlanValue(true)).toBe('yes');
    expect(formatPlanValue(['shoes', 'boots'])).toBe('shoes, boots');
    expect(changeLabel({ field: 'values.name', locale: 'en_US', scope: 'ecommerce', before: null, after: 'x' })).toBe('name (en_US, ecommerce)');
    expect(changeLabel({ field: 'labels', locale: 'fr_FR', scope: null, before: null, after: 'x' })).toBe('label (fr_FR)');
    expect(changeLabel({ field: 'family', locale: null, scope: null, before: null, after: 'x' })).toBe('family');
  });

  it('durations and relative times in plain words', () => {
    expect(formatDuration(950)).toBe('less than a second');
    expect(formatDuration(83_000)).toBe('1 min 23 s');
    expect(formatDuration(7_380_000)).toBe('2 h 3 min');
    expect(formatDuration(null)).toBe('–');
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(formatRelative('2026-12-02T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-12-02T14:00:00Z', now)).toBe('in 2 hours');
    expect(formatRelative('2026-12-03T18:00:00Z', now)).toBe('in 30 hours');
    expect(formatRelative('2026-11-29T12:00:00Z', now)).toBe('3 days ago');
  });

  it('who started a run', () => {
    expect(startedByLabel('user:julia')).toBe('julia');
    expect(startedByLabel('schedule:Nightly')).toBe('schedule “Nightly”');
    expect(startedByLabel('cli')).toBe('a terminal');
    expect(startedByLabel('token:ci (julia)')).toBe('API token ci (julia)');
    expect(startedByLabel(null)).toBe('–');
  });

  it('the ERP category tree becomes a list of paths in tree order; a loop or a missing parent does not lose a category', () => {
    const options = categoryOptions([
      { key: 'shoes', label: 'Shoes', parent: 'master' },
      { key: 'master', label: 'Master catalog', parent: null },
      { key: 'boots', label: 'Boots', parent: 'shoes' },
      { key: 'orphan', label: '', parent: 'gone' },
      { key: 'self', label: 'Self', parent: 'self' },
    ]);
    expect(options).toEqual([
      { value: 'master', label: 'Master catalog' },
      { value: 'shoes', label: 'Master catalog › Shoes' },
      { value: 'boots', label: 'Master catalog › Shoes › Boots' },
      { value: 'orphan', label: 'orphan' },
      { value: 'self', label: 'Self' },
    ]);
  });

  it('pasted SKUs: lines, commas, semicolons, spaces; duplicates once', () => {
    expect(parseKeys('BK-1, BK-2\nBK-3;BK-1\n\n  BK-4  ')).toEqual(['BK-1', 'BK-2', 'BK-3', 'BK-4']);
    expect(parseKeys('  \n ')).toEqual([]);
  });

  it('schedule presets in words', () => {
    expect(describeSpec({ kind: 'nightly', hour: 2, minute: 5 })).toBe('Every night at 02:05');
    expect(describeSpec({ kind: 'everyHours', hours: 1 })).toBe('Every hour');
    expect(describeSpec({ kind: 'everyHours', hours: 6 })).toBe('Every 6 hours');
    expect(describeSpec({ kind: 'weeklyFull', weekday: 0, hour: 3 })).toBe('Every Sunday at 03:00, everything');
    expect(describeSpec({ kind: 'cron', expression: '30 1 * * 1-5' })).toBe('Cron: 30 1 * * 1-5');
  });

  it('roles hide what the server would refuse', () => {
    expect(can('viewer', 'run')).toBe(false);
    expect(can('operator', 'run')).toBe(true);
    expect(can('operator', 'users')).toBe(false);
    expect(can('admin', 'users')).toBe(true);
    expect(can('stranger', 'read')).toBe(false);
  });

  it('query strings leave out empty filters', () => {
    expect(withQuery('/api/v1/runs', { status: 'failed', mode: undefined, q: '', page: 2 })).toBe('/api/v1/runs?status=failed&page=2');
    expect(withQuery('/api/v1/runs', {})).toBe('/api/v1/runs');
  });
});

describe('rejectPlaces', () => {
  const reject = { stream: 'items', key: 'A', entityType: 'product', label: 'A', attribute: 'weight', locale: null, scope: null, message: '', fix: null };
  it('adds the attribute, locale and channel the message does not name', () => {
    expect(rejectPlaces({ ...reject, message: 'SKU "A": too long', locale: 'fr_FR', scope: 'ecommerce' })).toBe('attribute weight, locale fr_FR, channel ecommerce');
  });
  it('leaves out what the message already names (no "field weight … (attribute weight)")', () => {
    expect(rejectPlaces({ ...reject, message: 'SKU A (field weight): weight: "heavy" is not a decimal number' })).toBe('');
    expect(rejectPlaces({ ...reject, message: 'SKU A: the weightless value is refused' })).toBe('attribute weight');
  });
});
