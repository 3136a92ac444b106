import { describe, expect, it } from 'vitest';
import { recordError } from '../../src/mapping/errors.js';
import { newAcc } from '../../src/mapping/plans.js';
import { DEFAULT_BLOCK_RECORD } from '../../src/mapping/resolve.js';

describe('recordError', () => {
  it('says which record, what, what was expected and the fix; blocks as errors.blockRecord says, or when forced', () => {
    const acc = newAcc({ stream: 'items', key: 'A', updatedAt: null }, 'SKU', 'A');
    recordError(DEFAULT_BLOCK_RECORD, acc, 'invalid_code', 'categories', { raw: 1 }, undefined, 'category "x y" is not a valid code', 'a category code', 'Rename it.');
    expect(acc.errors[0]).toEqual({
      kind: 'invalid_code',
      origin: { stream: 'items', key: 'A', updatedAt: null },
      recordLabel: 'SKU "A"',
      erpField: 'categories',
      attribute: undefined,
      locale: null,
      scope: null,
      value: '{"raw":1}',
      message: 'SKU "A": category "x y" is not a valid code. Expected a category code.',
      expected: 'a category code',
      fix: 'Rename it.',
      blocksRecord: false,
    });
    expect(acc.blocked).toBe(false);
    recordError({ ...DEFAULT_BLOCK_RECORD, invalid_code: true }, acc, 'invalid_code', undefined, 'x', undefined, 'bad', '', 'Fix it.');
    expect(acc.errors[1]!.message).toBe('SKU "A": bad.');
    expect(acc.blocked).toBe(true);
    const forced = newAcc({ stream: 'items', key: 'B', updatedAt: null }, 'SKU', 'B');
    recordError(DEFAULT_BLOCK_RECORD, forced, 'invalid_code', undefined, 'x', undefined, 'bad', '', 'Fix it.', true);
    expect(forced.blocked).toBe(true);
  });
});
