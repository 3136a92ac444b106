/** Version strings as each kind of Akeneo reports them (issue 19), and the endpoints they imply. */
import { describe, expect, it } from 'vitest';
import { uuidEndpointsExpected } from '../../src/akeneo/detect.js';

describe('uuidEndpointsExpected', () => {
  it('SaaS timestamps, with or without the v the spec table shows, mean uuid endpoints whatever the edition label', () => {
    expect(uuidEndpointsExpected('v20230112013744', 'something new')).toBe(true);
    expect(uuidEndpointsExpected('20210521041041', 'something new')).toBe(true);
  });
  it('self-hosted: 7.0 and later uuid, 6.0 and before identifier; an unreadable version is unknown', () => {
    expect(uuidEndpointsExpected('7.0.40', 'CE')).toBe(true);
    expect(uuidEndpointsExpected('6.0.28', 'EE')).toBe(false);
    expect(uuidEndpointsExpected('5.0.60', 'CE')).toBe(false);
    expect(uuidEndpointsExpected('master', 'CE')).toBeUndefined();
  });
});
