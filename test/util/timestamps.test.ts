import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { laterOf } from '../../src/util/timestamps.js';

describe('laterOf', () => {
  it('null and the empty string both mean "no date": the other one wins, in either order', () => {
    const t = '2024-02-01T00:00:00.000Z';
    expect(laterOf(null, t)).toBe(t);
    expect(laterOf(t, null)).toBe(t);
    expect(laterOf('', t)).toBe(t);
    expect(laterOf(t, '')).toBe(t);
    expect(laterOf(null, null)).toBeNull();
    expect(laterOf('', null)).toBe('');
    expect(laterOf(null, '')).toBeNull();
  });

  it('compares by time, whatever the offset or precision', () => {
    expect(laterOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')).toBe('2024-02-01T00:00:00Z');
    // 10:00+02:00 is 08:00Z: earlier than 09:00Z although its text sorts later.
    expect(laterOf('2024-01-01T09:00:00Z', '2024-01-01T10:00:00+02:00')).toBe('2024-01-01T09:00:00Z');
    expect(laterOf('2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00.000Z')).toBe('2024-01-01T09:00:00.000Z');
    // Equal times keep the first.
    expect(laterOf('2024-01-01T08:00:00.000Z', '2024-01-01T10:00:00+02:00')).toBe('2024-01-01T08:00:00.000Z');
  });

  it('agrees with comparing Date.parse on canonical and offset timestamps', () => {
    const date = fc.date({ min: new Date('1971-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true });
    const stamp = fc.oneof(
      date.map((d) => d.toISOString()),
      fc.tuple(date, fc.integer({ min: -12, max: 12 })).map(([d, h]) => {
        const shifted = new Date(d.getTime() + h * 3_600_000).toISOString().slice(0, 19);
        const sign = h < 0 ? '-' : '+';
        return `${shifted}${sign}${String(Math.abs(h)).padStart(2, '0')}:00`;
      }),
    );
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        const want = Date.parse(b) > Date.parse(a) ? b : a;
        expect(laterOf(a, b)).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});
