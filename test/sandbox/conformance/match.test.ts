import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/sandbox/conformance/match.js';
import { checkResponse } from '../../../src/sandbox/conformance/runner.js';

describe('conformance matching', () => {
  it('applies matchers', () => {
    expect(compare({ uuid: '<any:uuid>' }, { uuid: '3f2b6a4e-8f53-4c5e-9c1e-0a2b3c4d5e6f' }, 'exact')).toEqual([]);
    expect(compare({ uuid: '<any:uuid>' }, { uuid: 'nope' }, 'exact')).toHaveLength(1);
    expect(compare({ d: '<any:datetime>' }, { d: '2016-06-14T13:12:50+02:00' }, 'exact')).toEqual([]);
    expect(compare({ d: '<regex:^2016-06-13T00:00:00[+-]\\d{2}:\\d{2}$>' }, { d: '2016-06-13T00:00:00+00:00' }, 'exact')).toEqual([]);
    expect(compare({ d: '<not:5>' }, { d: 5 }, 'exact')).toHaveLength(1);
  });

  it('distinguishes exact from subset and ignores created/updated unless expected', () => {
    expect(compare({ a: 1 }, { a: 1, b: 2 }, 'exact')).toHaveLength(1);
    expect(compare({ a: 1 }, { a: 1, b: 2 }, 'subset')).toEqual([]);
    expect(compare({ a: 1 }, { a: 1, created: 'x', updated: 'y' }, 'exact')).toEqual([]);
    expect(compare({ a: [1, 2] }, { a: [1, 2, 3] }, 'subset')).toHaveLength(1);
  });

  it('normalises categories, groups, associations and value order', () => {
    expect(
      compare(
        { categories: ['a', 'b'], groups: ['x', 'y'], associations: { X: { products: ['p', 'q'] } } },
        { categories: ['b', 'a'], groups: ['y', 'x'], associations: { X: { products: ['q', 'p'] } } },
        'exact',
      ),
    ).toEqual([]);
    const en = { locale: 'en_US', scope: 'ecommerce', data: 'a' };
    const fr = { locale: 'fr_FR', scope: 'tablet', data: 'b' };
    expect(compare({ values: { t: [en, fr] } }, { values: { t: [fr, en] } }, 'exact')).toEqual([]);
  });

  it('subset_values_exact refuses extra attributes', () => {
    const v = { locale: null, scope: null, data: 1 };
    expect(compare({ values: { a: [v] } }, { values: { a: [v], b: [v] }, extra: 1 }, 'subset_values_exact')).toHaveLength(1);
    expect(compare({ values: { a: [v] } }, { values: { a: [v] }, extra: 1 }, 'subset_values_exact')).toEqual([]);
  });

  it('exact_unordered_lists compares scalar lists as sets', () => {
    expect(compare({ l: ['a', 'b'] }, { l: ['b', 'a'] }, 'exact_unordered_lists')).toEqual([]);
    expect(compare({ l: ['a', 'b'] }, { l: ['b', 'a'] }, 'exact')).not.toEqual([]);
  });

  it('checks status, headers, raw bodies, item sequences', () => {
    const res = {
      status: 200,
      headers: new Headers({ 'content-type': 'application/vnd.akeneo.collection+json; charset=utf-8', location: 'http://h/x' }),
      text: JSON.stringify({ _embedded: { items: [{ code: 'a', _links: { self: { href: 'http://h/c/a' } } }] } }),
    };
    const sub = (s: string) => s.replaceAll('{base}', 'http://h');
    expect(
      checkResponse(
        {
          status: 200,
          headers: { 'Content-Type': 'application/vnd.akeneo.collection+json', Location: '{base}/x' },
          items_key_sequence: { key: 'code', values: ['a'] },
          item_links: { self: '{base}/c/{code}' },
        },
        res,
        sub,
        't',
      ),
    ).toEqual([]);
    expect(checkResponse({ status: 201 }, res, sub, 't')).toHaveLength(1);
    expect(checkResponse({ status: 200, raw_body: 'x' }, res, sub, 't')).toHaveLength(1);
  });
});
