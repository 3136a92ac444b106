/**
 * Users, sessions and personal API tokens. Passwords are argon2id hashes; session ids and
 * tokens are random and stored as SHA-256 hashes, so a copy of the database opens nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify, Algorithm } from '@node-rs/argon2';
import type { Role, User, ApiToken } from '../api/contract.js';
import { registerSecrets } from '../../logging.js';
import { nowIso, type ConsoleDb } from './db.js';

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const TOKEN_PREFIX = 'fry_';

interface UserRow {
  id: number;
  name: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

function toUser(r: UserRow): User {
  return { id: r.id, name: r.name, role: r.role as Role, disabled: r.disabled === 1, createdAt: r.created_at, lastLoginAt: r.last_login_at };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function hashPassword(password: string): Promise<string> {
  return argonHash(password, { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

/** A hash to verify against when the user does not exist, so a wrong name costs the same time. */
let dummyHash: Promise<string> | null = null;

export interface Principal {
  user: Pick<User, 'id' | 'name' | 'role'>;
  /** `user:julia` or `token:ci (julia)`. */
  actor: string;
  /** The session's CSRF token (null for a Bearer token: no ambient cookie, no CSRF). */
  csrfToken: string | null;
}

export class AuthStore {
  constructor(
    private readonly db: ConsoleDb,
    private readonly clock: () => number = Date.now,
  ) {}

  countUsers(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM console_users').get() as { n: number }).n;
  }

  listUsers(): User[] {
    return (this.db.prepare('SELECT * FROM console_users ORDER BY name').all() as UserRow[]).map(toUser);
  }

  getUser(id: number): User | null {
    const r = this.db.prepare('SELECT * FROM console_users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  findUserByName(name: string): User | null {
    const r = this.db.prepare('SELECT * FROM console_users WHERE name = ?').get(name) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  async addUser(name: string, role: Role, password: string): Promise<User> {
    if (this.findUserByName(name)) throw new Error(`a user named ${name} already exists`);
    const res = this.db
      .prepare('INSERT INTO console_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(name, role, await hashPassword(password), nowIso(this.clock));
    return this.getUser(Number(res.lastInsertRowid))!;
  }

  async updateUser(id: number, change: { role?: Role; password?: string; disabled?: boolean }): Promise<User | null> {
    if (change.role) this.db.prepare('UPDATE console_users SET role = ? WHERE id = ?').run(change.role, id);
    if (change.password) {
      this.db.prepare('UPDATE console_users SET password_hash = ? WHERE id = ?').run(await hashPassword(change.password), id);
      // A new password signs every session out.
      this.db.prepare('DELETE FROM console_sessions WHERE user_id = ?').run(id);
    }
    if (change.disabled !== undefined) {
      this.db.prepare('UPDATE console_users SET disabled = ? WHERE id = ?').run(change.disabled ? 1 : 0, id);
      if (change.disabled) this.db.prepare('DELETE FROM console_sessions WHERE user_id = ?').run(id);
    }
    return this.getUser(id);
  }

  deleteUser(id: number): boolean {
    return this.db.prepare('DELETE FROM console_users WHERE id = ?').run(id).changes > 0;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM console_users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
  }

  /** The user when name and password match an enabled account; null otherwise (same time either way). */
  async verifyLogin(name: string, password: string): Promise<User | null> {
    const r = this.db.prepare('SELECT * FROM console_users WHERE name = ?').get(name) as UserRow | undefined;
    if (!r) {
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await argonVerify(await dummyHash, password).catch(() => false);
      return null;
    }
    const ok = await argonVerify(r.password_hash, password).catch(() => false);
    if (!ok || r.disabled === 1) return null;
    this.db.prepare('UPDATE console_users SET last_login_at = ? WHERE id = ?').run(nowIso(this.clock), r.id);
    return toUser(r);
  }

  // --- sessions ---------------------------------------------------------------------

  createSession(userId: number): { sessionId: string; csrfToken: string } {
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    this.db.prepare('DELETE FROM console_sessions WHERE expires_at < ?').run(this.clock());
    this.db
      .prepare('INSERT INTO console_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(sha256(sessionId), userId, csrfToken, nowIso(this.clock), this.clock() + SESSION_TTL_MS);
    registerSecrets([sessionId]);
    return { sessionId, csrfToken };
  }

  sessionPrincipal(sessionId: string): Principal | null {
    const r = this.db
      .prepare(
        `SELECT u.id, u.name, u.role, s.csrf_token FROM console_sessions s JOIN console_users u ON u.id = s.user_id
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
      )
      .get(sha256(sessionId), this.clock()) as { id: number; name: string; role: string; csrf_token: string } | undefined;
    if (!r) return null;
    // A session id that opens the Console (this process may not have created it) is a secret from now on.
    registerSecrets([sessionId]);
    return { user: { id: r.id, name: r.name, role: r.role as Role }, actor: `user:${r.name}`, csrfToken: r.csrf_token };
  }

  deleteSession(sessionId: string): void {
    this.db.prepare('DELETE FROM console_sessions WHERE id_hash = ?').run(sha256(sessionId));
  }

  // --- API tokens -------------------------------------------------------------------

  createToken(userId: number, name: string): ApiToken & { token: string } {
    const token = `${TOKEN_PREFIX}${randomBytes(30).toString('base64url')}`;
    const prefix = token.slice(0, 10);
    const res = this.db
      .prepare('INSERT INTO console_api_tokens (user_id, name, prefix, token_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(userId, name, prefix, sha256(token), nowIso(this.clock));
    registerSecrets([token]);
    return { id: Number(res.lastInsertRowid), name, prefix, createdAt: nowIso(this.clock), lastUsedAt: null, token };
  }

  listTokens(userId: number): ApiToken[] {
    const rows = this.db.prepare('SELECT * FROM console_api_tokens WHERE user_id = ? ORDER BY id').all(userId) as {
      id: number;
      name: string;
      prefix: string;
      created_at: string;
      last_used_at: string | null;
    }[];
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  deleteToken(userId: number, id: number): boolean {
    return this.db.prepare('DELETE FROM console_api_tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }

  tokenPrincipal(token: string): Principal | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const r = this.db
      .prepare(
        `SELECT t.id AS token_id, t.name AS token_name, u.id, u.name, u.role FROM console_api_tokens t JOIN console_users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND u.disabled = 0`,
      )
      .get(sha256(token)) as { token_id: number; token_name: string; id: number; name: string; role: string } | undefined;
    if (!r) return null;
    this.db.prepare('UPDATE console_api_tokens SET last_used_at = ? WHERE id = ?').run(nowIso(this.clock), r.token_id);
    registerSecrets([token]);
    return { user: { id: r.id, name: r.name, role: r.role as Role }, actor: `token:${r.token_name} (${r.name})`, csrfToken: null };
  }
}
