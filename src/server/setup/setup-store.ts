/**
 * The first-run state in the Console's own table: the one-time setup token (its hash) that lets
 * whoever reads `ferry serve`'s output create the first admin, and the wizard's position so it
 * can be left and resumed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WizardStep } from '../api/contract.js';
import type { ConsoleDb } from '../store/db.js';

const TOKEN_KEY = 'setup_token_sha256';
const WIZARD_KEY = 'wizard';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export interface WizardState {
  step: WizardStep;
  completed: WizardStep[];
  data: Record<string, unknown>;
}

export class SetupStore {
  constructor(private readonly db: ConsoleDb) {}

  private get(key: string): string | null {
    return (this.db.prepare('SELECT value FROM console_setup WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  private put(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM console_setup WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO console_setup (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** A new one-time token (the previous one stops working); only its hash is kept. */
  issueToken(): string {
    const token = randomBytes(24).toString('base64url');
    this.put(TOKEN_KEY, sha256(token).toString('hex'));
    return token;
  }

  /** true once, for the current token; the token is then spent. */
  spendToken(token: string): boolean {
    const stored = this.get(TOKEN_KEY);
    if (!stored) return false;
    const ok = timingSafeEqual(Buffer.from(stored, 'hex'), sha256(token));
    if (ok) this.put(TOKEN_KEY, null);
    return ok;
  }

  wizard(): WizardState | null {
    const text = this.get(WIZARD_KEY);
    return text ? (JSON.parse(text) as WizardState) : null;
  }

  saveWizard(state: WizardState): void {
    this.put(WIZARD_KEY, JSON.stringify(state));
  }
}
