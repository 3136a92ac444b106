import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const dir = join(import.meta.dirname, '../../examples');
const env = { AKENEO_SECRET: 's', AKENEO_PASSWORD: 'p', TRYTON_PASSWORD: 't', AKENEO_APP_TOKEN: 'a' };

describe('the example configurations in examples/', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(3));
  for (const file of files) {
    it(`${file} is a valid ferry.yaml`, () => {
      const config = parseConfig(readFileSync(join(dir, file), 'utf8'), file, env);
      expect(config.pim.url).toMatch(/^https?:\/\//);
    });
  }
});
