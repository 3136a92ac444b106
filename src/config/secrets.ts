/**
 * The encrypted secrets file: values typed in the Console (a PIM secret, an ERP password) are kept
 * here, AES-256-GCM per value, and ferry.yaml references them as `${secret:NAME}`; the CLI and the
 * Console resolve the same references (see resolveSecretRefs).
 *
 * Where: the secrets file sits beside ferry.yaml (`<name>.secrets.json`, safe to keep with the
 * config: it holds only ciphertext); the key comes from `FERRY_SECRET_KEY` or from a key file
 * created with mode 0600 beside the state (`ferry.key` in the state's folder), so copying the
 * config folder alone does not carry the key. A wrong key is an error that names where the key
 * came from; nothing is decrypted with it (GCM's tag fails on the check value first).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const SECRET_KEY_ENV = 'FERRY_SECRET_KEY';
const CHECK_TEXT = 'ferry-secrets-check';

const sealedSchema = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
type Sealed = z.infer<typeof sealedSchema>;
const fileSchema = z.object({
  format: z.literal('ferry-secrets/1'),
  /** A known text sealed with the key: tells a wrong key from a damaged value. */
  check: sealedSchema,
  secrets: z.record(z.string(), sealedSchema.extend({ updatedAt: z.string() })),
});
type SecretsFileBody = z.infer<typeof fileSchema>;

export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

export interface SecretsLocation {
  /** The encrypted file (beside ferry.yaml). */
  file: string;
  /** The key file (beside the state), used when FERRY_SECRET_KEY is not set. */
  keyFile: string;
}

/** `ferry.yaml` → `ferry.secrets.json` beside it; the key file in the state's folder (state.path read from the raw file). */
export function secretsLocation(configFile: string, statePath = './data/ferry.db'): SecretsLocation {
  const abs = resolve(configFile);
  const dir = dirname(abs);
  const stem = basename(abs, extname(abs));
  const state = isAbsolute(statePath) ? statePath : resolve(dir, statePath);
  return { file: join(dir, `${stem}.secrets.json`), keyFile: join(dirname(state), 'ferry.key') };
}

/** The state path as the raw file writes it (no interpolation: a state path is not a secret). */
export function rawStatePath(configFile: string): string | undefined {
  try {
    const raw = parse(readFileSync(configFile, 'utf8')) as { state?: { path?: unknown } } | null;
    return typeof raw?.state?.path === 'string' ? raw.state.path : undefined;
  } catch {
    return undefined;
  }
}

/** Any text becomes a 32-byte key: 64 hex digits or 44 base64 characters as they are, else its SHA-256. */
function keyFromText(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t, 'base64');
    if (b.length === 32) return b;
  }
  return createHash('sha256').update(t, 'utf8').digest();
}

function seal(key: Buffer, plain: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, sealed: Sealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

export class SecretsStore {
  private key: Buffer | null = null;
  private keySource = '';

  constructor(
    readonly location: SecretsLocation,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  exists(): boolean {
    return existsSync(this.location.file);
  }

  /** Names and dates only. */
  list(): { name: string; updatedAt: string }[] {
    const body = this.read();
    return body ? Object.entries(body.secrets).map(([name, s]) => ({ name, updatedAt: s.updatedAt })).sort((a, b) => a.name.localeCompare(b.name)) : [];
  }

  has(name: string): boolean {
    return this.read()?.secrets[name] !== undefined;
  }

  /** The value of one secret; the key is checked first, so a wrong key decrypts nothing. */
  get(name: string): string | undefined {
    const body = this.read();
    if (!body) return undefined;
    const key = this.checkedKey(body, false);
    const sealed = body.secrets[name];
    if (!sealed) return undefined;
    try {
      return open(key, sealed);
    } catch {
      throw new SecretsError(`secret ${name} in ${this.location.file} is damaged (its authentication tag does not match); set it again in the Console or with the API`);
    }
  }

  set(name: string, value: string, now = new Date()): void {
    const body = this.read() ?? this.fresh();
    const key = this.checkedKey(body, true);
    body.secrets[name] = { ...seal(key, value), updatedAt: now.toISOString() };
    this.write(body);
  }

  remove(name: string): boolean {
    const body = this.read();
    if (!body || !body.secrets[name]) return false;
    delete body.secrets[name];
    this.write(body);
    return true;
  }

  private fresh(): SecretsFileBody {
    return { format: 'ferry-secrets/1', check: seal(this.keyFor(true), CHECK_TEXT), secrets: {} };
  }

  private read(): SecretsFileBody | null {
    if (!existsSync(this.location.file)) return null;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.location.file, 'utf8'));
    } catch (err) {
      throw new SecretsError(`${this.location.file} is not a secrets file Ferry can read (${(err as Error).message}); restore it from a backup or delete it and enter the secrets again`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new SecretsError(`${this.location.file} is not a Ferry secrets file (format ferry-secrets/1 expected)`);
    return parsed.data;
  }

  private write(body: SecretsFileBody): void {
    mkdirSync(dirname(this.location.file), { recursive: true });
    const tmp = `${this.location.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.location.file);
  }

  /** The key, proven against the file's check value: a wrong key stops here with where it came from. */
  private checkedKey(body: SecretsFileBody, create: boolean): Buffer {
    const key = this.keyFor(create);
    try {
      if (open(key, body.check) === CHECK_TEXT) return key;
    } catch {
      // falls through to the error below
    }
    throw new SecretsError(
      `the secrets in ${this.location.file} were encrypted with another key than ${this.keySource}; ` +
        `set ${SECRET_KEY_ENV} to the key they were written with (or restore that key file), or enter the secrets again in a new file`,
    );
  }

  private keyFor(create: boolean): Buffer {
    if (this.key) return this.key;
    const fromEnv = this.env[SECRET_KEY_ENV];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      this.key = keyFromText(fromEnv);
      this.keySource = `the key in ${SECRET_KEY_ENV}`;
      return this.key;
    }
    const file = this.location.keyFile;
    this.keySource = `the key file ${file}`;
    if (existsSync(file)) {
      this.key = keyFromText(readFileSync(file, 'utf8'));
      return this.key;
    }
    if (!create) throw new SecretsError(`${this.location.file} needs a key: set ${SECRET_KEY_ENV} or restore the key file ${file}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    this.key = keyFromText(readFileSync(file, 'utf8'));
    return this.key;
  }
}

export const SECRET_REF = /\$\{secret:([A-Z][A-Z0-9_]{0,63})\}/g;

export interface SecretRefProblem {
  path: string;
  message: string;
}

/**
 * Replaces `${secret:NAME}` in every string of `value` (a copy). `lookup` answers a name's value
 * (undefined: not in the file) and may throw a SecretsError (wrong key); both become a problem
 * at the key path. The store behind `lookup` is only opened when a reference is met.
 */
export function resolveSecretRefs(value: unknown, lookup: (name: string) => string | undefined, problems: SecretRefProblem[], path = ''): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${secret:')) return value;
    return value.replace(SECRET_REF, (_m, name: string) => {
      try {
        const s = lookup(name);
        if (s !== undefined) return s;
        problems.push({ path: path || '(root)', message: `secret ${name} is not in the secrets file; enter it in the Console (Connections) or remove the reference` });
      } catch (err) {
        problems.push({ path: path || '(root)', message: err instanceof SecretsError ? err.message : String(err) });
      }
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveSecretRefs(v, lookup, problems, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveSecretRefs(v, lookup, problems, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
