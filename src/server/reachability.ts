/**
 * Is the PIM answering, is the ERP? Checked at most once a minute (the dashboard asks on
 * every load), and the ERP's category tree for the Run-now picker, kept five minutes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FerryConfig } from '../config/schema.js';
import type { ErpSource } from '../erp/port.js';
import { scrubSecrets, type Logger } from '../logging.js';
import type { ErpCategory } from './api/contract.js';
import type { RunManager } from './runs/run-manager.js';

export interface ReachabilityState {
  reachable: boolean | null;
  system: string | null;
  message: string | null;
  checkedAt: string | null;
}

const unknown: ReachabilityState = { reachable: null, system: null, message: null, checkedAt: null };

function text(err: unknown): string {
  return scrubSecrets(err instanceof Error ? err.message : String(err)).slice(0, 300);
}

function labelOf(fields: Record<string, unknown>, key: string): string {
  for (const name of ['label', 'name', 'title']) {
    const v = fields[name];
    if (typeof v === 'string' && v) return v;
    if (v && typeof v === 'object' && (v as { kind?: string }).kind === 'localized') {
      const values = (v as { values: Record<string, string> }).values;
      const first = values.en ?? values.en_US ?? Object.values(values)[0];
      if (first) return first;
    }
  }
  return key;
}

export class Reachability {
  private pim: ReachabilityState = unknown;
  private erp: ReachabilityState = unknown;
  private checking: Promise<void> | null = null;
  private lastCheck = 0;
  private categories: { at: number; items: ErpCategory[] } | null = null;

  constructor(
    private config: FerryConfig,
    private readonly manager: RunManager,
    private readonly logger: Logger,
    private readonly openSource: () => Promise<ErpSource> = async () => (await import('../erp/factory.js')).createErpSource(this.config.erp, { logger }),
  ) {}

  /** A configuration saved from the Console: checked afresh on the next look. */
  useConfig(config: FerryConfig): void {
    this.config = config;
    this.lastCheck = 0;
    this.categories = null;
  }

  /** The last known states; refreshes in the background when older than a minute, waiting at most `waitMs`. */
  async current(waitMs = 1500): Promise<{ pim: ReachabilityState; erp: ReachabilityState }> {
    if (Date.now() - this.lastCheck > 60_000 && !this.checking) {
      this.lastCheck = Date.now();
      this.checking = this.check().finally(() => (this.checking = null));
    }
    if (this.checking) await Promise.race([this.checking, sleep(waitMs, undefined, { ref: false })]);
    return { pim: this.pim, erp: this.erp };
  }

  private async check(): Promise<void> {
    const at = new Date().toISOString();
    try {
      const client = this.manager.pimClient();
      // detect() is remembered by the client; one small read proves the PIM answers now.
      for await (const first of client.categories.list({ limit: 1 })) if (first) break;
      const d = await client.detect();
      this.pim = { reachable: true, system: `Akeneo ${d.version} ${d.edition}`, message: null, checkedAt: at };
    } catch (err) {
      this.pim = { reachable: false, system: null, message: text(err), checkedAt: at };
    }
    let source: ErpSource | null = null;
    try {
      source = await this.openSource();
      const c = await source.check();
      this.erp = { reachable: c.ok, system: c.system, message: c.ok ? null : c.problems.join('; ') || null, checkedAt: at };
    } catch (err) {
      this.erp = { reachable: false, system: null, message: text(err), checkedAt: at };
    } finally {
      await source?.close().catch(() => undefined);
    }
  }

  /** The ERP's categories (flat; the picker builds the tree from `parent`). */
  async erpCategories(): Promise<ErpCategory[]> {
    if (this.categories && Date.now() - this.categories.at < 300_000) return this.categories.items;
    const source = await this.openSource();
    try {
      const items: ErpCategory[] = [];
      if (source.streams.includes('categories')) {
        for await (const r of source.read('categories')) items.push({ key: r.key, label: labelOf(r.fields, r.key), parent: r.parent ?? null });
      }
      this.categories = { at: Date.now(), items };
      return items;
    } catch (err) {
      this.logger.warn({ err: text(err) }, 'ERP categories could not be read');
      throw err;
    } finally {
      await source.close().catch(() => undefined);
    }
  }
}
