/**
 * The encrypted secrets file: AES-256-GCM per value, a key from FERRY_SECRET_KEY or a key file
 * created with mode 0600 beside the state; a wrong key is a clear error and decrypts nothing;
 * `${secret:NAME}` resolves in the CLI's loader, an unknown name is reported at its key path.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { SecretsError, SecretsStore, secretsLocation } from '../../src/config/secrets.js';
import { tempDirs } from '../sync/support/e2e.js';

const tempDir = tempDirs('ferry-secrets-');

describe('secrets file', () => {
  it('creates a 0600 key file beside the state when no FERRY_SECRET_KEY is set, and stores only ciphertext', () => {
    const dir = tempDir();
    const location = secretsLocation(join(dir, 'ferry.yaml'), './state/ferry.db');
    expect(location).toEqual({ file: join(dir, 'ferry.secrets.json'), keyFile: join(dir, 'state', 'ferry.key') });
    const store = new SecretsStore(location, {});
    store.set('PIM_SECRET', 'plain-value-123456');
    expect(statSync(location.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(location.file, 'utf8')).not.toContain('plain-value-123456');
    expect(new SecretsStore(location, {}).get('PIM_SECRET')).toBe('plain-value-123456');
    expect(new SecretsStore(location, {}).list().map((s) => s.name)).toEqual(['PIM_SECRET']);
  });

  it('a wrong key: a clear error naming where the key came from, nothing decrypted, nothing written', () => {
    const dir = tempDir();
    const location = secretsLocation(join(dir, 'ferry.yaml'));
    new SecretsStore(location, { FERRY_SECRET_KEY: 'the-right-key' }).set('ERP_PASSWORD', 'db-pass-987654');
    const before = readFileSync(location.file, 'utf8');
    const wrong = new SecretsStore(location, { FERRY_SECRET_KEY: 'a-wrong-key' });
    expect(() => wrong.get('ERP_PASSWORD')).toThrow(SecretsError);
    expect(() => wrong.get('ERP_PASSWORD')).toThrow(/encrypted with another key than the key in FERRY_SECRET_KEY; set FERRY_SECRET_KEY to the key they were written with/);
    expect(() => wrong.set('OTHER', 'x')).toThrow(SecretsError);
    expect(readFileSync(location.file, 'utf8')).toBe(before);
    // A tampered value is told apart from a wrong key.
    const body = JSON.parse(before) as { secrets: Record<string, { data: string }> };
    body.secrets.ERP_PASSWORD!.data = Buffer.from('tampered').toString('base64');
    writeFileSync(location.file, JSON.stringify(body));
    expect(() => new SecretsStore(location, { FERRY_SECRET_KEY: 'the-right-key' }).get('ERP_PASSWORD')).toThrow(/ERP_PASSWORD .* is damaged/);
  });

  it('the CLI loader resolves ${secret:NAME}; a missing name is reported at its key path', async () => {
    const dir = tempDir();
    const file = join(dir, 'ferry.yaml');
    writeFileSync(file, 'pim:\n  url: http://127.0.0.1:1\n  token: ${secret:PIM_TOKEN}\nerp:\n  type: demo\n  path: ./erp.sqlite\n');
    await expect(loadConfig(file, {})).rejects.toThrow(/pim\.token: secret PIM_TOKEN is not in the secrets file/);
    new SecretsStore(secretsLocation(file), {}).set('PIM_TOKEN', 'app-token-abcdef');
    expect((await loadConfig(file, {})).pim).toMatchObject({ token: 'app-token-abcdef' });
  });
});
