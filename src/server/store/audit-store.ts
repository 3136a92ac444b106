/** The audit log: who changed what, who started which run. Append only. */
import type { AuditEntry } from '../api/contract.js';
import { nowIso, parseJsonColumn, type ConsoleDb } from './db.js';

export class AuditStore {
  constructor(
    private readonly db: ConsoleDb,
    private readonly clock: () => number = Date.now,
  ) {}

  record(actor: string, action: string, target: string | null, details?: unknown): void {
    this.db
      .prepare('INSERT INTO console_audit (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)')
      .run(nowIso(this.clock), actor, action, target, details === undefined ? null : JSON.stringify(details));
  }

  page(page: number, pageSize: number, action?: string): { items: AuditEntry[]; total: number } {
    const where = action ? 'WHERE action = ?' : '';
    const args = action ? [action] : [];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM console_audit ${where}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM console_audit ${where} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, pageSize, (page - 1) * pageSize) as {
      id: number;
      at: string;
      actor: string;
      action: string;
      target: string | null;
      details: string | null;
    }[];
    return { total, items: rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: parseJsonColumn(r.details, null) })) };
  }
}
