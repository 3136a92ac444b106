import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinguishes, familyVariantCode, inferAxes, type AxisValues } from '../../src/mapping/axes.js';

const FIELDS = ['color', 'size', 'fit', 'material', 'season'];

/** Items with up to five select fields of a few values each (sometimes empty). */
const itemsArb = fc.array(
  fc.record(Object.fromEntries(FIELDS.map((f) => [f, fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.constant(null) })]))),
  { minLength: 2, maxLength: 9 },
) as fc.Arbitrary<AxisValues[]>;

function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
}

describe('inferAxes (property)', () => {
  it('finds axes that tell the items apart whenever some set of fields does, and no smaller set does', () => {
    fc.assert(
      fc.property(itemsArb, (items) => {
        const working = subsets(FIELDS).filter((s) => s.length > 0 && distinguishes(items, s));
        const r = inferAxes(items, FIELDS);
        if (working.length === 0) {
          expect(r.ok).toBe(false);
          if (!r.ok) {
            const [i, j] = r.clash;
            expect(r.tried.every((f) => items[i]![f] === items[j]![f])).toBe(true);
          }
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const axes = r.levels.flat();
        expect(distinguishes(items, axes)).toBe(true);
        expect(axes.length).toBe(Math.min(...working.map((s) => s.length)));
        expect(r.levels.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 400 },
    );
  });

  it('two levels only when another field is constant within each first-axis sub-group', () => {
    fc.assert(
      fc.property(itemsArb, fc.array(fc.constantFrom('x', 'y', 'z'), { minLength: 9, maxLength: 9 }), (items, pictures) => {
        const withPicture: Record<string, string | null>[] = items.map((it, i) => ({ ...(it as Record<string, string | null>), picture: pictures[i]! }));
        const r = inferAxes(withPicture, FIELDS, { otherFields: ['picture'] });
        if (!r.ok || r.levels.length < 2) return;
        const first = r.levels[0]![0]!;
        const byFirst = new Map<string, Set<string | null>>();
        for (const it of withPicture) byFirst.set(it[first]!, (byFirst.get(it[first]!) ?? new Set<string | null>()).add(it.picture!));
        expect([...byFirst.values()].every((s) => s.size === 1)).toBe(true);
        expect(r.subModelFields).toContain('picture');
      }),
      { numRuns: 300 },
    );
  });
});

describe('inferAxes (examples)', () => {
  const tee = [
    { color: 'red', size: 's', picture: 'red.jpg', brand: 'acme' },
    { color: 'red', size: 'm', picture: 'red.jpg', brand: 'acme' },
    { color: 'blue', size: 'm', picture: 'blue.jpg', brand: 'acme' },
    { color: 'blue', size: 'xl', picture: 'blue.jpg', brand: 'acme' },
  ];

  it('the issue-16 T-shirt needs colour and size; one level without a colour-level field', () => {
    expect(inferAxes(tee, ['size', 'color', 'brand'])).toEqual({ ok: true, levels: [['size', 'color']], subModelFields: [] });
  });

  it('colour then size when the picture is constant per colour', () => {
    expect(inferAxes(tee, ['size', 'color'], { otherFields: ['picture'] })).toEqual({ ok: true, levels: [['color'], ['size']], subModelFields: ['picture'] });
  });

  it('one axis when one suffices; an earlier group\'s choice wins a tie', () => {
    const two = [{ color: 'red', size: 's' }, { color: 'blue', size: 'm' }];
    expect(inferAxes(two, ['color', 'size'])).toMatchObject({ levels: [['color']] });
    expect(inferAxes(two, ['color', 'size'], { preferred: [['size']] })).toMatchObject({ levels: [['size']] });
  });

  it('reports the fields tried, those empty on some item, and two items that clash', () => {
    const r = inferAxes([{ color: 'red', size: 's' }, { color: 'red', size: 's', fit: 'slim' }, { color: 'blue', size: 's' }], ['color', 'size', 'fit']);
    expect(r).toEqual({ ok: false, tried: ['color'], incomplete: ['fit'], clash: [0, 1] });
  });

  it('names family variants after their axes', () => {
    expect(familyVariantCode('shirt', [['color', 'size']])).toBe('shirt_by_color_size');
    expect(familyVariantCode('shirt', [['color'], ['size']])).toBe('shirt_by_color_then_size');
  });
});
