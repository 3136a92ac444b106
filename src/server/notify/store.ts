/**
 * Notification channels, rules and deliveries. A channel's settings (secrets included) stay
 * in the database; `publicChannel` is the only shape that leaves the server.
 */
import type { Channel, ChannelInput, Delivery, Rule, RuleInput } from '../api/contract.js';
import { registerSecrets } from '../../logging.js';
import { nowIso, parseJsonColumn, type ConsoleDb } from '../store/db.js';


/** What a sender needs; never sent to a browser. */
export type ChannelSettings =
  | { type: 'email'; host: string; port: number; secure: boolean; username?: string; password?: string; from: string; to: string[] }
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'slack' | 'teams'; url: string };

export interface ChannelRow {
  id: number;
  name: string;
  enabled: boolean;
  settings: ChannelSettings;
  createdAt: string;
}

export type RuleKind = Rule['kind'];
export interface RuleRow {
  id: number;
  kind: RuleKind;
  threshold: number | null;
  channelIds: number[];
  enabled: boolean;
  createdAt: string;
}

export function describeRule(kind: RuleKind, threshold: number | null): string {
  switch (kind) {
    case 'run_failed':
      return 'a run fails';
    case 'rejects_count':
      return `a run rejects ${threshold} record${threshold === 1 ? '' : 's'} or more`;
    case 'rejects_percent':
      return `a run rejects ${threshold} % of the records it read or more`;
    case 'stuck':
      return `a run has not finished after ${threshold} minute${threshold === 1 ? '' : 's'}`;
    case 'no_success':
      return `no run has succeeded for ${threshold} hour${threshold === 1 ? '' : 's'}`;
    case 'back_to_normal':
      return 'a run succeeds again after a failed one';
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

interface DbChannel {
  id: number;
  type: string;
  name: string;
  enabled: number;
  settings: string;
  created_at: string;
}

interface DbRule {
  id: number;
  kind: string;
  threshold: number | null;
  channel_ids: string;
  enabled: number;
  created_at: string;
}

/** A channel's secrets: the SMTP password, the webhook secret, the Slack/Teams URL (which is the credential). */
export function channelSecrets(s: ChannelSettings): string[] {
  if (s.type === 'email') return s.password ? [s.password] : [];
  if (s.type === 'webhook') return [s.secret];
  // The credential is the path (Slack: /services/T…/B…/<token>; Teams: …/IncomingWebhook/<hex>/<guid>):
  // the whole URL, its path, and each token-long segment, in case an error quotes only a part.
  const out = [s.url];
  try {
    const { pathname, search } = new URL(s.url);
    out.push(pathname + search, ...pathname.split('/').filter((seg) => seg.length >= 16));
  } catch {
    // not a URL: the whole text is all there is
  }
  return out;
}

export class NotifyStore {
  constructor(
    private readonly db: ConsoleDb,
    private readonly clock: () => number = Date.now,
  ) {}

  // --- channels -------------------------------------------------------------------

  private toChannel(r: DbChannel): ChannelRow {
    const settings = parseJsonColumn<ChannelSettings>(r.settings, { type: 'slack', url: '' });
    // Every channel read (at start, on save, before a delivery) makes the central scrubber know its
    // secrets, so no log line, error answer or stored delivery error can carry them.
    registerSecrets(channelSecrets(settings));
    return { id: r.id, name: r.name, enabled: r.enabled === 1, settings, createdAt: r.created_at };
  }

  listChannels(): ChannelRow[] {
    return (this.db.prepare('SELECT * FROM console_channels ORDER BY id').all() as DbChannel[]).map((r) => this.toChannel(r));
  }

  getChannel(id: number): ChannelRow | null {
    const r = this.db.prepare('SELECT * FROM console_channels WHERE id = ?').get(id) as DbChannel | undefined;
    return r ? this.toChannel(r) : null;
  }

  /**
   * The stored settings for an input: on update, secrets the input omits keep their stored
   * value. Returns an error text naming the field when a needed secret is missing.
   */
  settingsFrom(input: ChannelInput, previous: ChannelRow | null, generateSecret: () => string): ChannelSettings | { missing: string } {
    const prev = previous?.settings.type === input.type ? previous.settings : null;
    switch (input.type) {
      case 'email':
        return {
          type: 'email',
          host: input.host,
          port: input.port ?? 587,
          secure: input.secure ?? false,
          ...(input.username ? { username: input.username } : {}),
          ...(input.password ? { password: input.password } : prev?.type === 'email' && prev.password && input.username ? { password: prev.password } : {}),
          from: input.from,
          to: input.to,
        };
      case 'webhook':
        return { type: 'webhook', url: input.url, secret: input.secret ?? (prev?.type === 'webhook' ? prev.secret : generateSecret()) };
      case 'slack':
      case 'teams': {
        const url = input.url ?? (prev && (prev.type === 'slack' || prev.type === 'teams') ? prev.url : undefined);
        if (!url) return { missing: 'body.url' };
        return { type: input.type, url };
      }
    }
  }

  createChannel(name: string, enabled: boolean, settings: ChannelSettings): ChannelRow {
    const res = this.db
      .prepare('INSERT INTO console_channels (type, name, enabled, settings, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(settings.type, name, enabled ? 1 : 0, JSON.stringify(settings), nowIso(this.clock));
    return this.getChannel(Number(res.lastInsertRowid))!;
  }

  updateChannel(id: number, name: string, enabled: boolean, settings: ChannelSettings): ChannelRow | null {
    const res = this.db.prepare('UPDATE console_channels SET type = ?, name = ?, enabled = ?, settings = ? WHERE id = ?').run(settings.type, name, enabled ? 1 : 0, JSON.stringify(settings), id);
    return res.changes > 0 ? this.getChannel(id) : null;
  }

  deleteChannel(id: number): boolean {
    return this.db.prepare('DELETE FROM console_channels WHERE id = ?').run(id).changes > 0;
  }

  /** The channel as answers show it: no password, no webhook secret, no Slack/Teams URL. */
  publicChannel(c: ChannelRow): Channel {
    const s = c.settings;
    const last = this.db.prepare('SELECT at, ok, error FROM console_deliveries WHERE channel_id = ? ORDER BY id DESC LIMIT 1').get(c.id) as
      | { at: string; ok: number; error: string | null }
      | undefined;
    return {
      id: c.id,
      type: s.type,
      name: c.name,
      enabled: c.enabled,
      target: s.type === 'email' ? `${s.host}:${s.port} → ${s.to.join(', ')}` : s.type === 'webhook' ? s.url : hostOf(s.url),
      hasSecret: s.type === 'email' ? Boolean(s.password) : s.type === 'webhook' ? Boolean(s.secret) : Boolean(s.url),
      email: s.type === 'email' ? { host: s.host, port: s.port, secure: s.secure, username: s.username ?? null, from: s.from, to: s.to } : null,
      lastDelivery: last ? { at: last.at, ok: last.ok === 1, error: last.error } : null,
      createdAt: c.createdAt,
    };
  }

  // --- rules ------------------------------------------------------------------------

  private toRule(r: DbRule): RuleRow {
    return { id: r.id, kind: r.kind as RuleKind, threshold: r.threshold, channelIds: parseJsonColumn<number[]>(r.channel_ids, []), enabled: r.enabled === 1, createdAt: r.created_at };
  }

  listRules(): RuleRow[] {
    return (this.db.prepare('SELECT * FROM console_rules ORDER BY id').all() as DbRule[]).map((r) => this.toRule(r));
  }

  getRule(id: number): RuleRow | null {
    const r = this.db.prepare('SELECT * FROM console_rules WHERE id = ?').get(id) as DbRule | undefined;
    return r ? this.toRule(r) : null;
  }

  createRule(input: Required<Pick<RuleInput, 'kind' | 'channelIds'>> & { threshold: number | null; enabled: boolean }): RuleRow {
    const res = this.db
      .prepare('INSERT INTO console_rules (kind, threshold, channel_ids, enabled, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.kind, input.threshold, JSON.stringify(input.channelIds), input.enabled ? 1 : 0, nowIso(this.clock));
    return this.getRule(Number(res.lastInsertRowid))!;
  }

  updateRule(id: number, input: Required<Pick<RuleInput, 'kind' | 'channelIds'>> & { threshold: number | null; enabled: boolean }): RuleRow | null {
    const res = this.db
      .prepare('UPDATE console_rules SET kind = ?, threshold = ?, channel_ids = ?, enabled = ? WHERE id = ?')
      .run(input.kind, input.threshold, JSON.stringify(input.channelIds), input.enabled ? 1 : 0, id);
    return res.changes > 0 ? this.getRule(id) : null;
  }

  deleteRule(id: number): boolean {
    return this.db.prepare('DELETE FROM console_rules WHERE id = ?').run(id).changes > 0;
  }

  publicRule(r: RuleRow): Rule {
    return { ...r, description: describeRule(r.kind, r.threshold) };
  }

  /** Marks (rule, subject) as fired; false when it already was (each condition notifies once). */
  markFired(ruleId: number, subject: string): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO console_rule_state (rule_id, subject, fired_at) VALUES (?, ?, ?)').run(ruleId, subject, nowIso(this.clock)).changes > 0;
  }

  getCursor(name: string): string | null {
    const r = this.db.prepare('SELECT fired_at FROM console_rule_state WHERE rule_id = 0 AND subject = ?').get(name) as { fired_at: string } | undefined;
    return r?.fired_at ?? null;
  }

  setCursor(name: string, value: string): void {
    this.db.prepare('INSERT INTO console_rule_state (rule_id, subject, fired_at) VALUES (0, ?, ?) ON CONFLICT (rule_id, subject) DO UPDATE SET fired_at = excluded.fired_at').run(name, value);
  }

  // --- deliveries ---------------------------------------------------------------------

  addDelivery(d: Omit<Delivery, 'id' | 'at'>): Delivery {
    const at = nowIso(this.clock);
    const res = this.db
      .prepare('INSERT INTO console_deliveries (channel_id, at, event, run_id, ok, attempts, error) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.channelId, at, d.event, d.runId, d.ok ? 1 : 0, d.attempts, d.error);
    return { ...d, id: Number(res.lastInsertRowid), at };
  }

  deliveries(channelId: number, page: number, pageSize: number): { items: Delivery[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM console_deliveries WHERE channel_id = ?').get(channelId) as { n: number }).n;
    const rows = this.db.prepare('SELECT * FROM console_deliveries WHERE channel_id = ? ORDER BY id DESC LIMIT ? OFFSET ?').all(channelId, pageSize, (page - 1) * pageSize) as {
      id: number;
      channel_id: number;
      at: string;
      event: string;
      run_id: number | null;
      ok: number;
      attempts: number;
      error: string | null;
    }[];
    return { total, items: rows.map((r) => ({ id: r.id, channelId: r.channel_id, at: r.at, event: r.event, runId: r.run_id, ok: r.ok === 1, attempts: r.attempts, error: r.error })) };
  }
}
