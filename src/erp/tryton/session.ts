/**
 * What every stream reader needs once per source: the RPC client, the user's company (prices
 * are company-dependent in Tryton), the currency, and the language chains used to tell real
 * translations from Tryton's fallback. Resolved lazily on first use, then cached.
 */
import { ErpError } from '../port.js';
import type { TrytonConfig } from './config.js';
import { TrytonRpc } from './rpc.js';

export interface TrytonSession {
  rpc: TrytonRpc;
  config: TrytonConfig;
  /** Context sent with every model call (company; never `language`, added per call). */
  context: Record<string, unknown>;
  companyId: number | null;
  currency: string | null;
  /** For each configured language: itself then its Tryton parents (`de_CH` → `de`). */
  languageChains: Map<string, string[]>;
  serverVersion: string;
}

export class TrytonConnection {
  readonly rpc: TrytonRpc;
  private ready: Promise<TrytonSession> | null = null;

  constructor(readonly config: TrytonConfig) {
    this.rpc = new TrytonRpc({
      url: config.url,
      database: config.database,
      username: config.username,
      password: config.password,
      timeoutMs: config.timeoutMs,
      language: config.sourceLanguage,
    });
  }

  session(): Promise<TrytonSession> {
    if (!this.ready) {
      this.ready = this.open().catch((error: unknown) => {
        this.ready = null; // let a later call retry (server started meanwhile, password fixed)
        throw error;
      });
    }
    return this.ready;
  }

  /** Calls `model.<model>.<method>` with the session context merged into the last param. */
  async model(model: string, method: string, params: unknown[], extraContext: Record<string, unknown> = {}): Promise<unknown> {
    const s = await this.session();
    return this.rpc.call(`model.${model}.${method}`, [...params, { ...s.context, ...extraContext }]);
  }

  async close(): Promise<void> {
    if (this.ready) await this.rpc.logout();
    this.ready = null;
  }

  private async open(): Promise<TrytonSession> {
    const serverVersion = String(await this.rpc.callRoot('common.server.version'));
    await this.rpc.login();
    const prefs = (await this.rpc.call('model.res.user.get_preferences', [true, {}])) as Record<string, unknown>;
    const companyId = this.config.company ?? (typeof prefs.company === 'number' ? prefs.company : null);
    const context: Record<string, unknown> = {};
    if (companyId !== null) context.company = companyId;
    let currency: string | null = null;
    if (companyId !== null) {
      const rows = (await this.rpc.call('model.company.company.read', [[companyId], ['currency.code'], context]).catch((error: unknown) => {
        if (this.config.company !== undefined) {
          throw new ErpError(`Tryton company ${companyId} (erp.company) cannot be read: ${(error as Error).message}`, 'config');
        }
        return [];
      })) as { 'currency.'?: { code?: string } }[];
      currency = rows[0]?.['currency.']?.code ?? null;
      if (this.config.company !== undefined && rows.length === 0) {
        throw new ErpError(`Tryton has no company ${companyId} (erp.company); remove the key to use the user's current company.`, 'config');
      }
    } else if (this.config.referencePrice) {
      throw new ErpError(
        `erp.referencePrice is on but user "${this.config.username}" has no current company in Tryton, and list prices are per company: set erp.company to the company id.`,
        'config',
      );
    }
    const languageChains = await this.resolveLanguages();
    return { rpc: this.rpc, config: this.config, context, companyId, currency, languageChains, serverVersion };
  }

  private async resolveLanguages(): Promise<Map<string, string[]>> {
    const rows = (await this.rpc.call('model.ir.lang.search_read', [[], 0, null, null, ['code', 'parent', 'translatable'], { active_test: false }])) as {
      code: string;
      parent: string | null;
      translatable: boolean | number;
    }[];
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const chains = new Map<string, string[]>();
    const missing: string[] = [];
    for (const lang of this.config.languages) {
      if (!byCode.has(lang)) missing.push(lang);
      const chain: string[] = [];
      let code: string | null = lang;
      while (code && !chain.includes(code)) {
        chain.push(code);
        const parent: string | null | undefined = byCode.get(code)?.parent;
        // Tryton's get_parent_language: the explicit parent, else cut at '@' or '_'.
        code = parent ?? (code.includes('@') ? code.slice(0, code.lastIndexOf('@')) : code.includes('_') ? code.slice(0, code.lastIndexOf('_')) : null);
      }
      chains.set(lang, chain);
    }
    if (missing.length) {
      throw new ErpError(
        `Tryton has no language ${missing.map((l) => `"${l}"`).join(', ')} (erp.languages); known codes include ${rows
          .filter((r) => r.translatable === true || r.translatable === 1)
          .map((r) => r.code)
          .join(', ')}. Load a language with trytond-admin -l <code> or fix the code.`,
        'config',
      );
    }
    return chains;
  }
}
