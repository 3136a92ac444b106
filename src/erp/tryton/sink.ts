/**
 * The ERP sink (PIM → Tryton): create or update templates (`groups`) and variants (`items`).
 * Each record is written by its own RPC calls, and each Tryton RPC call is its own
 * transaction, so one bad record fails alone with Tryton's message and the rest go through.
 */
import type { ErpRecord, FieldValue, NumberedProduct, NumberedResult, SinkResult, StreamName } from '../port.js';
import { TrytonDecimal } from './codec.js';
import { TrytonRpcError } from './rpc.js';
import type { TrytonConnection } from './session.js';
import { MEASURES, parseIdKey } from './templates.js';
import { ITEM_STANDARD_FIELDS } from './items.js';
import { changedPart } from './sink-diff.js';

/** Reads the current records of `keys` through the source (same normalisation as a read). */
export type ReadExisting = (stream: 'groups' | 'items', keys: string[]) => Promise<Map<string, ErpRecord>>;

type Values = Record<string, unknown>;

/** The product identifier code that names the PIM product a numbered Tryton product was made for. */
export const ORIGIN_PREFIX = 'akeneo:';

export class TrytonSink {
  private uoms: Map<string, number> | null = null;
  private attributes: Map<string, string> | null = null;

  constructor(
    private readonly conn: TrytonConnection,
    private readonly readExisting: ReadExisting,
  ) {}

  async upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
    if (stream !== 'groups' && stream !== 'items') {
      return records.map((r) => ({
        key: r.key,
        outcome: 'failed' as const,
        message: `The Tryton sink writes groups (product.template) and items (product.product); ${stream} are maintained in Tryton.`,
      }));
    }
    const results: SinkResult[] = [];
    const existing = await this.readExisting(stream, records.map((r) => r.key));
    for (const record of records) {
      try {
        const current = existing.get(record.key);
        let toWrite = record;
        if (current) {
          const changed = changedPart(record, current);
          if (!changed) {
            results.push({ key: record.key, outcome: 'unchanged' });
            continue;
          }
          toWrite = changed;
        }
        results.push(stream === 'groups' ? await this.upsertGroup(toWrite) : await this.upsertItem(toWrite));
      } catch (error) {
        const message = error instanceof TrytonRpcError ? error.message.replace(/^Tryton refused [^:]+: /, '') : (error as Error).message;
        results.push({ key: record.key, outcome: 'failed', message: `${stream.slice(0, -1)} ${record.key}: ${message}` });
      }
    }
    return results;
  }

  /**
   * Products the PIM sends without a SKU, numbered by Tryton: a template created without a code
   * takes the next number of the configured Product Sequence, and its one variant (empty suffix)
   * the same code, which is read back and answered.
   *
   * The crash window (a run that dies after Tryton numbered the product, before the PIM has the
   * number): the template, its variant and a product identifier `akeneo:<PIM uuid>` (Product >
   * Identifiers, no type) are created in ONE RPC call, so one Tryton transaction: either all exist
   * or none. Before creating, the identifier is looked up; a variant found by it is the earlier
   * run's, and is adopted (its names written again, its code answered) instead of created twice.
   */
  async createNumbered(products: NumberedProduct[]): Promise<NumberedResult[]> {
    const [config] = (await this.conn.model('product.configuration', 'read', [[1], ['template_sequence']])) as { template_sequence: number | null }[];
    if (!config?.template_sequence) {
      const message = 'Tryton numbers no products: set a Product Sequence in Product > Configuration, or use export.sku.mode generate or keep.';
      return products.map((p) => ({ key: p.item.key, outcome: 'failed' as const, message }));
    }
    const results: NumberedResult[] = [];
    for (const { group, item, origin } of products) {
      try {
        const ignored: string[] = [];
        const { values, translations } = await this.templateValues(group ?? item, ignored);
        const marker = `${ORIGIN_PREFIX}${origin}`;
        const orphan = await this.productByOrigin(marker);
        if (orphan) {
          await this.writeTranslations('product.template', orphan.template, translations);
          results.push({ ...result(item.key, 'updated', ignored), assignedKey: orphan.code, id: `product_${orphan.id}`, adopted: true, message: `adopted Tryton product ${orphan.code}: an earlier export created it and stopped before the PIM had its number` });
          continue;
        }
        if (values.name === undefined) throw new Error('a new template needs fields.name (map a name in export.fields)');
        const wanted = values.categories as number[] | undefined;
        if (wanted) values.categories = [['add', wanted]];
        const create: Values = { type: 'goods', ...values, products: [['create', [{ suffix_code: '', identifiers: [['create', [{ code: marker }]]] }]]] };
        if (create.default_uom === undefined) create.default_uom = await this.uom('u', 'uom');
        const [templateId] = (await this.conn.model('product.template', 'create', [[create]], { default_products: false })) as [number];
        await this.writeTranslations('product.template', templateId, translations);
        const created = await this.productByOrigin(marker);
        if (!created?.code) throw new Error('Tryton gave the product no code; check the Product Sequence in Product > Configuration');
        results.push({ ...result(item.key, 'created', ignored), assignedKey: created.code, id: `product_${created.id}` });
      } catch (error) {
        const message = error instanceof TrytonRpcError ? error.message.replace(/^Tryton refused [^:]+: /, '') : (error as Error).message;
        results.push({ key: item.key, outcome: 'failed', message: `product ${item.key}: ${message}` });
      }
    }
    return results;
  }

  /** The variant carrying this origin identifier (active or not), with its template and code. */
  private async productByOrigin(marker: string): Promise<{ id: number; template: number; code: string } | null> {
    const rows = (await this.conn.model('product.product', 'search_read', [[['identifiers.code', '=', marker]], 0, 1, [['id', 'ASC']], ['code', 'template']], { active_test: false })) as {
      id: number;
      code: string | null;
      template: number;
    }[];
    const row = rows[0];
    return row && row.code ? { id: row.id, template: row.template, code: row.code } : null;
  }

  private async upsertGroup(record: ErpRecord): Promise<SinkResult> {
    const ignored: string[] = [];
    const { values, translations } = await this.templateValues(record, ignored);
    const id = parseIdKey(record.key, 'template');
    const found = (await this.conn.model('product.template', 'search', [
      id !== null ? [['id', '=', id]] : [['code', '=', record.key]],
      0,
      2,
      null,
    ], { active_test: false })) as number[];
    if (found.length > 1) return { key: record.key, outcome: 'failed', message: `Several Tryton templates have code ${record.key}; make the codes unique.` };
    let templateId: number;
    let outcome: 'created' | 'updated';
    const wanted = values.categories as number[] | undefined;
    if (found.length === 0) {
      if (wanted) values.categories = [['add', wanted]];
      if (id !== null) return { key: record.key, outcome: 'failed', message: `Tryton has no template id ${id}.` };
      if (values.name === undefined) return { key: record.key, outcome: 'failed', message: `group ${record.key}: a new template needs fields.name.` };
      const create: Values = { code: record.key, type: 'goods', ...values };
      if (create.default_uom === undefined) create.default_uom = await this.uom('u', 'uom');
      [templateId] = (await this.conn.model('product.template', 'create', [[create]], { default_products: false })) as [number];
      outcome = 'created';
    } else {
      templateId = found[0]!;
      if (wanted) {
        const [current] = (await this.conn.model('product.template', 'read', [[templateId], ['categories']])) as [{ categories: number[] }];
        const remove = current.categories.filter((c) => !wanted.includes(c));
        const add = wanted.filter((c) => !current.categories.includes(c));
        values.categories = [...(remove.length ? [['remove', remove]] : []), ...(add.length ? [['add', add]] : [])];
        if (!(values.categories as unknown[]).length) delete values.categories;
      }
      if (Object.keys(values).length) await this.conn.model('product.template', 'write', [[templateId], values]);
      outcome = 'updated';
    }
    await this.writeTranslations('product.template', templateId, translations);
    return { ...result(record.key, outcome, ignored), id: `template_${templateId}` };
  }

  private async upsertItem(record: ErpRecord): Promise<SinkResult> {
    const ignored: string[] = [];
    const values: Values = {};
    const translations = new Map<string, Values>();
    const attributes: Values = {};
    const known = await this.attributeTypes();
    for (const [field, value] of Object.entries(record.fields)) {
      if (field === 'description') this.localized(field, value, values, translations);
      else if (field === 'ean') continue;
      else if (ITEM_STANDARD_FIELDS.has(field)) ignored.push(field); // template-level: write the group
      else {
        const code = field.startsWith('attribute_') && ITEM_STANDARD_FIELDS.has(field.slice(10)) ? field.slice(10) : field;
        const type = known.get(code);
        if (!type) ignored.push(field);
        else attributes[code] = toAttribute(value, type);
      }
    }
    if (record.active !== undefined) values.active = record.active;
    const found = (await this.conn.model('product.product', 'search_read', [[['code', '=', record.key]], 0, 2, null, ['attributes', 'template']], {
      active_test: false,
    })) as { id: number; attributes: Values | null }[];
    if (found.length > 1) return { key: record.key, outcome: 'failed', message: `Several Tryton variants have code ${record.key}; make the codes unique.` };
    const ean = record.fields.ean;
    let productId: number;
    let outcome: 'created' | 'updated';
    if (found.length === 0) {
      if (!record.group) return { key: record.key, outcome: 'failed', message: `item ${record.key}: a new variant needs its group (the template code).` };
      const tid = parseIdKey(record.group, 'template');
      const templates = (await this.conn.model('product.template', 'search_read', [tid !== null ? [['id', '=', tid]] : [['code', '=', record.group]], 0, 2, null, ['code']], {
        active_test: false,
      })) as { id: number; code: string | null }[];
      if (templates.length !== 1) {
        return { key: record.key, outcome: 'failed', message: `item ${record.key}: Tryton has no template ${record.group}; upsert the group first.` };
      }
      const prefix = templates[0]!.code ?? '';
      if (!record.key.startsWith(prefix)) {
        return {
          key: record.key,
          outcome: 'failed',
          message: `item ${record.key}: Tryton builds a variant code as template code + suffix, and ${record.key} does not start with the template code ${prefix}.`,
        };
      }
      const create: Values = { template: templates[0]!.id, suffix_code: record.key.slice(prefix.length), ...values };
      if (Object.keys(attributes).length) create.attributes = attributes;
      if (typeof ean === 'string' && ean) create.identifiers = [['create', [{ type: 'ean', code: ean }]]];
      [productId] = (await this.conn.model('product.product', 'create', [[create]])) as [number];
      outcome = 'created';
    } else {
      productId = found[0]!.id;
      if (Object.keys(attributes).length) values.attributes = { ...(found[0]!.attributes ?? {}), ...attributes };
      if (Object.keys(values).length) await this.conn.model('product.product', 'write', [[productId], values]);
      if (typeof ean === 'string' || ean === null) await this.writeEan(productId, ean);
      outcome = 'updated';
    }
    await this.writeTranslations('product.product', productId, translations);
    return { ...result(record.key, outcome, ignored), id: `product_${productId}` };
  }

  private async templateValues(record: ErpRecord, ignored: string[]): Promise<{ values: Values; translations: Map<string, Values> }> {
    const values: Values = {};
    const translations = new Map<string, Values>();
    for (const [field, value] of Object.entries(record.fields)) {
      if (field === 'name') this.localized(field, value, values, translations);
      else if (field === 'type' && typeof value === 'string') values.type = value;
      else if (field === 'uom' && typeof value === 'string') values.default_uom = await this.uom(value, field);
      else if ((MEASURES as readonly string[]).includes(field)) {
        if (value === null) values[field] = null;
        else if (typeof value === 'object' && !Array.isArray(value) && value.kind === 'quantity') {
          values[field] = Number(value.amount);
          values[`${field}_uom`] = await this.uom(value.unit, field);
        } else throw new Error(`fields.${field} must be a quantity {amount, unit}, got ${JSON.stringify(value)}.`);
      } else if (field === 'list_price') {
        if (!this.conn.config.referencePrice) ignored.push(field);
        else if (value && typeof value === 'object' && !Array.isArray(value) && (value.kind === 'money' || value.kind === 'decimal')) {
          values.list_price = new TrytonDecimal(value.kind === 'money' ? value.amount : value.value);
        } else throw new Error(`fields.list_price must be a money or decimal value, got ${JSON.stringify(value)}.`);
      } else ignored.push(field);
    }
    if (record.categories) {
      // Resolved to add/remove actions by upsertGroup (Tryton 6.0 has no many2many 'set').
      values.categories = record.categories.map((k) => {
        const id = parseIdKey(k, 'category');
        if (id === null) throw new Error(`category key ${k} is not a Tryton category key (category_<id>).`);
        return id;
      });
    }
    if (record.active !== undefined) values.active = record.active;
    return { values, translations };
  }

  /** Source-language text goes into the record; other languages are written with their language in the context. */
  private localized(field: string, value: FieldValue, values: Values, translations: Map<string, Values>): void {
    if (value === null) {
      values[field] = null;
      return;
    }
    if (typeof value === 'string') {
      values[field] = value;
      return;
    }
    if (typeof value === 'object' && !Array.isArray(value) && value.kind === 'localized') {
      for (const [lang, text] of Object.entries(value.values)) {
        if (lang === this.conn.config.sourceLanguage) values[field] = text;
        else translations.set(lang, { ...(translations.get(lang) ?? {}), [field]: text });
      }
      return;
    }
    throw new Error(`fields.${field} must be a text or a localized text, got ${JSON.stringify(value)}.`);
  }

  private async writeTranslations(model: string, id: number, translations: Map<string, Values>): Promise<void> {
    for (const [lang, values] of translations) await this.conn.model(model, 'write', [[id], values], { language: lang });
  }

  /**
   * Through the variant's one2many, not product.identifier directly: the write then bumps the
   * variant's write_date, so a removed EAN is seen by the next delta read too.
   */
  private async writeEan(productId: number, ean: string | null): Promise<void> {
    const existing = (await this.conn.model('product.identifier', 'search_read', [[['product', '=', productId], ['type', '=', 'ean']], 0, null, null, ['code']])) as {
      id: number;
      code: string;
    }[];
    let actions: unknown[] = [];
    if (ean === null) {
      if (existing.length) actions = [['delete', existing.map((e) => e.id)]];
    } else if (existing.length === 0) {
      actions = [['create', [{ type: 'ean', code: ean }]]];
    } else if (existing[0]!.code !== ean) {
      actions = [['write', [existing[0]!.id], { code: ean }]];
    }
    if (actions.length) await this.conn.model('product.product', 'write', [[productId], { identifiers: actions }]);
  }

  private async uom(symbol: string, field: string): Promise<number> {
    if (!this.uoms) {
      const rows = (await this.conn.model('product.uom', 'search_read', [[], 0, null, null, ['symbol']])) as { id: number; symbol: string }[];
      this.uoms = new Map(rows.map((r) => [r.symbol, r.id]));
    }
    const id = this.uoms.get(symbol);
    if (id === undefined) throw new Error(`fields.${field}: Tryton has no unit with symbol "${symbol}" (known: ${[...this.uoms.keys()].join(', ')}).`);
    return id;
  }

  private async attributeTypes(): Promise<Map<string, string>> {
    if (!this.attributes) {
      const rows = (await this.conn.model('product.attribute', 'search_read', [[], 0, null, null, ['name', 'type_']])) as { name: string; type_: string }[];
      this.attributes = new Map(rows.map((r) => [r.name, r.type_]));
    }
    return this.attributes;
  }
}

function toAttribute(value: FieldValue, type: string): unknown {
  if (value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value)) {
    if (value.kind === 'decimal') return type === 'numeric' ? new TrytonDecimal(value.value) : Number(value.value);
    if (value.kind === 'quantity') return type === 'numeric' ? new TrytonDecimal(value.amount) : Number(value.amount);
    if (value.kind === 'money') return new TrytonDecimal(value.amount);
    if (value.kind === 'localized') return Object.values(value.values)[0] ?? null;
  }
  return value;
}

function result(key: string, outcome: 'created' | 'updated', ignored: string[]): SinkResult {
  return ignored.length
    ? { key, outcome, message: `not written (no Tryton field for them on this record kind): ${ignored.join(', ')}` }
    : { key, outcome };
}
