/**
 * The sandbox's locale list against Akeneo's installer fixture (akeneo/pim-community-dev
 * src/Akeneo/Platform/Bundle/InstallerBundle/Resources/fixtures/minimal/locales.sql: 210 rows).
 */
import { describe, expect, it } from 'vitest';
import { AKENEO_LOCALES, withAkeneoLocales } from '../../src/sandbox/locales.js';

describe('sandbox locales', () => {
  it("are Akeneo's 210 codes, each once, Mongolian as mn_MN", () => {
    expect(AKENEO_LOCALES).toHaveLength(210);
    expect(new Set(AKENEO_LOCALES).size).toBe(210);
    expect(AKENEO_LOCALES).toContain('mn_MN');
    expect(AKENEO_LOCALES).toContain('mn_Mong_CN');
    expect(AKENEO_LOCALES).not.toContain('mn_Cyrl_MN');
    for (const code of ['af_ZA', 'en_029', 'en_US', 'arn_CL', 'tzm_Latn_DZ', 'zu_ZA']) expect(AKENEO_LOCALES).toContain(code);
  });

  it('a catalog gets every known locale, active exactly when a channel uses it', () => {
    const all = withAkeneoLocales([{ code: 'en_US', enabled: true }], ['en_US', 'fr_FR']);
    expect(all).toHaveLength(210);
    expect(all.filter((l) => l.enabled).map((l) => l.code)).toEqual(['en_US', 'fr_FR']);
  });
});
