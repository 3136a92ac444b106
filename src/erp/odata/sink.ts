/**
 * The PIM → ERP side of the OData adapter (ErpSink): S/4 `A_Product` and Business Central
 * `items`. Each record is matched by its key (S/4 Product, BC number), so a second write never
 * creates a second record: absent → POST (S/4: a deep insert with the descriptions per language;
 * the SAP CSRF token comes with every write), present and different → PATCH of the changed
 * properties only (BC: with the item's etag in If-Match; S/4: descriptions PATCHed or POSTed per
 * language), equal → unchanged. Results are per record; a 400 is mapped back to the Ferry field
 * whose property the server named. See docs/erp-odata.md.
 */
import { ErpError, type ErpRecord, type FieldValue, type SinkResult, type StreamName } from '../port.js';
import type { OdataConfig, OdataField } from './config.js';
import type { EdmEntityType, EdmModel } from './metadata.js';
import { queryString, literal, type ODataVersion } from './query.js';
import { toRecord, type StreamPlan } from './reader.js';
import { serverMessage, type OdataService } from './service.js';
import { collectionRows } from './values.js';

export interface SinkContext {
  cfg: OdataConfig;
  service: OdataService;
  model(): Promise<EdmModel>;
  version(): Promise<ODataVersion>;
  /** The planned stream (scope set, properties checked against $metadata). */
  plan(stream: StreamName): Promise<StreamPlan>;
}

type Json = Record<string, unknown>;

/** What the profile fills on a create when the record does not say (mandatory in S/4 and BC). */
const CREATE_DEFAULTS: Record<'s4' | 'bc', Partial<Record<StreamName, Json>>> = {
  s4: { items: { ProductType: 'FERT', BaseUnit: 'EA' }, groups: { ProductType: 'KMAT', BaseUnit: 'EA' } },
  bc: { items: { type: 'Inventory' }, groups: { type: 'Inventory' } },
};

/** Ferry language code → SAP language key (the reader's ferryLanguage backwards). */
function sapLanguage(code: string): string {
  return code === 'zh-cht' ? 'ZF' : code.toUpperCase();
}

class FieldProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A Ferry value as the JSON of an EDM property. */
function propertyValue(field: string, value: FieldValue, edmType: string, defaultLanguage: string): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) throw new FieldProblem(field, 'a list cannot go into one OData property');
  if (typeof value === 'object') {
    if (value.kind === 'decimal') return edmType === 'Edm.Decimal' ? value.value : Number(value.value);
    if (value.kind === 'localized') {
      // A one-language ERP property (BC's displayName): the default language, else the first.
      const text = value.values[defaultLanguage] ?? Object.values(value.values)[0];
      return text ?? null;
    }
    throw new FieldProblem(field, `a ${value.kind} cannot go into property type ${edmType}`);
  }
  switch (edmType) {
    case 'Edm.Decimal':
      return String(value);
    case 'Edm.Boolean':
      return value === true || value === 'true';
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Byte':
    case 'Edm.Double':
    case 'Edm.Single': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new FieldProblem(field, `"${String(value)}" is not a number (${edmType})`);
      return n;
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** Decimals compare by value ("20.350" = "20.35"), everything else as JSON. */
function same(a: unknown, b: unknown, edmType: string | undefined): boolean {
  if (edmType === 'Edm.Decimal' && a !== null && b !== null && a !== undefined && b !== undefined) return Number(a) === Number(b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

interface Payload {
  /** Scalar properties of the entity. */
  props: Json;
  /** navigation → language → text row (S/4 descriptions). */
  texts: Map<string, { field: string; language: string; text: string; rows: Map<string, string> }>;
  /** Record fields the profile does not write. */
  ignored: string[];
}

function payloadOf(record: ErpRecord, plan: StreamPlan, cfg: OdataConfig): Payload {
  const def = plan.def;
  const props: Json = {};
  const texts: Payload['texts'] = new Map();
  const ignored: string[] = [];
  const fields = new Map<string, OdataField>(plan.fields);
  const edm = (p: string): string => plan.type.properties.get(p)?.type ?? 'Edm.String';
  const defaultLanguage = 'en';
  for (const [name, value] of Object.entries(record.fields)) {
    const field = fields.get(name);
    if (!field) {
      ignored.push(name);
      continue;
    }
    if (typeof field === 'string') {
      if (field === def.key) continue; // the key is the record key
      props[field] = propertyValue(name, value, edm(field), defaultLanguage);
    } else if ('quantity' in field) {
      if (value === null) {
        props[field.quantity.amount] = null;
      } else if (typeof value === 'object' && !Array.isArray(value) && value.kind === 'quantity') {
        props[field.quantity.amount] = propertyValue(name, value.amount, edm(field.quantity.amount), defaultLanguage);
        props[field.quantity.unit] = cfg.profile === 's4' ? value.unit.toUpperCase() : value.unit;
      } else throw new FieldProblem(name, `expected a quantity (amount and unit), got ${JSON.stringify(value)}`);
    } else {
      const { navigation, language, text } = field.localized;
      const rows = new Map<string, string>();
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && value.kind === 'localized') {
        for (const [lang, t] of Object.entries(value.values)) rows.set(cfg.profile === 's4' ? sapLanguage(lang) : lang, t);
      } else if (typeof value === 'string') rows.set(cfg.profile === 's4' ? sapLanguage(defaultLanguage) : defaultLanguage, value);
      else if (value !== null) throw new FieldProblem(name, `expected a text per language, got ${JSON.stringify(value)}`);
      texts.set(navigation, { field: name, language, text, rows });
    }
  }
  if (def.deletionFlag && record.active !== undefined) props[def.deletionFlag] = !record.active;
  if (def.group && record.group !== undefined) props[def.group] = record.group;
  if (def.categories && record.categories !== undefined) props[def.categories] = record.categories[0] ?? null;
  return { props, texts, ignored };
}

/** The Ferry field a server-named property belongs to. */
function fieldOf(property: string, plan: StreamPlan): string {
  for (const [name, field] of plan.fields) {
    if (typeof field === 'string' ? field === property : 'quantity' in field ? field.quantity.amount === property || field.quantity.unit === property : field.localized.text === property || field.localized.navigation === property) return name;
  }
  return property;
}

/** The property an OData error names (v4 error.target / details, v2 innererror.errordetails), if any. */
function errorTarget(text: string): string | null {
  try {
    const e = (JSON.parse(text) as { error?: Json }).error;
    if (!e) return null;
    const details = [...((e.details as Json[] | undefined) ?? []), ...((((e.innererror as Json | undefined)?.errordetails as Json[] | undefined) ?? []))];
    for (const t of [e.target, ...details.map((d) => d.target ?? d.propertyref)]) {
      if (typeof t === 'string' && t.trim() !== '') return t.replace(/^.*\//, '').replace(/^in\//, '').trim();
    }
  } catch {
    // not JSON
  }
  return null;
}

function keyPredicate(type: EdmEntityType, row: Json, version: ODataVersion): string {
  const part = (k: string): string => {
    const v = row[k];
    const t = type.properties.get(k)?.type;
    if (t === 'Edm.Guid') return version === '2' ? `guid'${String(v)}'` : String(v);
    if (typeof v === 'number') return String(v);
    return literal({ kind: 'string', value: String(v) }, version);
  };
  const text = type.keys.length === 1 ? part(type.keys[0]!) : type.keys.map((k) => `${k}=${part(k)}`).join(',');
  return `(${encodeURIComponent(text).replace(/%2C/g, ',').replace(/%3D/g, '=')})`;
}

function entitySetOfType(model: EdmModel, typeName: string | null): string | null {
  if (!typeName) return null;
  for (const [set, type] of model.entitySets) if (type.name === typeName) return set;
  return null;
}

export function createOdataWriter(ctx: SinkContext): (stream: StreamName, records: ErpRecord[]) => Promise<SinkResult[]> {
  const { cfg, service } = ctx;
  const csrf = cfg.csrf ?? cfg.profile === 's4';

  async function send(method: 'POST' | 'PATCH', url: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
    return service.http.send(method, url, body, { ...(csrf ? { csrfUrl: `${service.root}/$metadata` } : {}), ...(headers ? { headers } : {}) });
  }

  /** The ERP's current row for a key (any row with that key, whatever the stream's filter), or null. */
  async function lookup(plan: StreamPlan, key: string): Promise<{ row: Json; record: ErpRecord } | null> {
    const version = await ctx.version();
    const select = [...new Set([...plan.select, ...plan.type.keys, ...(version === '2' ? plan.expand : [])])];
    const query = queryString({ filter: { op: 'eq', property: plan.def.key, literal: { kind: 'string', value: key } }, select, expand: plan.expand }, version);
    const body = await service.getJson(`${service.entityUrl(plan.def.entitySet)}?${query}`, `Looking up ${plan.def.entitySet} ${key}`);
    const rows = collectionRows(body) ?? [];
    if (rows.length > 1) throw new FieldProblem(plan.def.key, `${rows.length} records in ${plan.def.entitySet} have ${plan.def.key} ${key}; make it unique in the ERP`);
    const row = rows[0];
    return row ? { row, record: toRecord(row, { plan, model: await ctx.model(), languages: null }) } : null;
  }

  function refused(record: ErpRecord, stream: StreamName, plan: StreamPlan, res: { status: number; text: string }, what: string): SinkResult {
    const noun = stream.slice(0, -1);
    const message = serverMessage(res.text);
    const property = res.status === 400 ? errorTarget(res.text) : null;
    if (property) {
      const field = fieldOf(property, plan);
      return { key: record.key, outcome: 'failed', message: `${noun} ${record.key}: field ${field} (${plan.def.entitySet}.${property}) refused by the ERP: ${message}; correct the value in the PIM (or the mapping of ${field}) and run again` };
    }
    return { key: record.key, outcome: 'failed', message: `${noun} ${record.key}: ${what} answered HTTP ${res.status}: ${message}` };
  }

  async function writeTexts(plan: StreamPlan, entityPath: string, key: string, wanted: Payload['texts'], current: Map<string, Map<string, string>>): Promise<{ status: number; text: string } | null> {
    const model = await ctx.model();
    const version = await ctx.version();
    for (const [navigation, t] of wanted) {
      const nav = plan.type.navigations.get(navigation);
      const set = entitySetOfType(model, nav?.target ?? null);
      const have = current.get(navigation) ?? new Map<string, string>();
      for (const [language, text] of t.rows) {
        if (have.get(language) === text) continue;
        const row: Json = { [plan.def.key]: key, [t.language]: language, [t.text]: text };
        const res =
          have.has(language) && set
            ? await send('PATCH', service.entityUrl(`${set}${keyPredicate(model.entitySets.get(set)!, row, version)}`), { [t.text]: text })
            : await send('POST', service.entityUrl(`${entityPath}/${navigation}`), row);
        if (res.status < 200 || res.status >= 300) return res;
      }
    }
    return null;
  }

  function currentTexts(row: Json, payload: Payload): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const [navigation, t] of payload.texts) {
      const raw = row[navigation] as unknown;
      const rows = (Array.isArray(raw) ? raw : ((raw as { results?: unknown[] } | undefined)?.results ?? [])) as Json[];
      out.set(navigation, new Map(rows.map((r) => [String(r[t.language]), String(r[t.text] ?? '')])));
    }
    return out;
  }

  async function writeOne(stream: StreamName, plan: StreamPlan, record: ErpRecord): Promise<SinkResult> {
    if (cfg.profile === 'bc' && stream === 'items' && record.group) {
      return { key: record.key, outcome: 'failed', message: `item ${record.key}: a variant of Business Central item ${record.group}; item variants are maintained in Business Central (write the group to update the item)` };
    }
    const payload = payloadOf(record, plan, cfg);
    const note = payload.ignored.length ? `not written (the ${cfg.profile} profile has no property for them): ${payload.ignored.join(', ')}` : undefined;
    const version = await ctx.version();
    for (let attempt = 0; ; attempt++) {
      const existing = await lookup(plan, record.key);
      if (!existing) {
        const body: Json = { ...CREATE_DEFAULTS[cfg.profile as 's4' | 'bc']?.[stream], ...payload.props, [plan.def.key]: record.key };
        for (const [navigation, t] of payload.texts) {
          body[navigation] = [...t.rows].map(([language, text]) => ({ [plan.def.key]: record.key, [t.language]: language, [t.text]: text }));
        }
        const res = await send('POST', service.entityUrl(plan.def.entitySet), body);
        if (res.status < 200 || res.status >= 300) return refused(record, stream, plan, res, `creating it in ${plan.def.entitySet}`);
        return { key: record.key, outcome: 'created', ...(note ? { message: note } : {}) };
      }
      const changed: Json = {};
      const currentProps = payloadOf(existing.record, plan, cfg).props;
      for (const [prop, value] of Object.entries(payload.props)) {
        const before = prop in currentProps ? currentProps[prop] : existing.row[prop];
        if (!same(value, before, plan.type.properties.get(prop)?.type)) changed[prop] = value;
      }
      const texts = currentTexts(existing.row, payload);
      const textsChanged = [...payload.texts].some(([nav, t]) => [...t.rows].some(([l, text]) => texts.get(nav)?.get(l) !== text));
      if (Object.keys(changed).length === 0 && !textsChanged) return { key: record.key, outcome: 'unchanged', ...(note ? { message: note } : {}) };
      const entityPath = `${plan.def.entitySet}${keyPredicate(plan.type, existing.row, version)}`;
      if (Object.keys(changed).length) {
        const etag = (existing.row['@odata.etag'] ?? (existing.row.__metadata as { etag?: unknown } | undefined)?.etag) as string | undefined;
        const res = await send('PATCH', service.entityUrl(entityPath), changed, etag ? { 'if-match': etag } : undefined);
        if (res.status === 412 && attempt === 0) continue; // changed in the ERP since our read: read again, once
        if (res.status < 200 || res.status >= 300) return refused(record, stream, plan, res, `updating ${entityPath}`);
      }
      if (textsChanged) {
        const failed = await writeTexts(plan, entityPath, record.key, payload.texts, texts);
        if (failed) return refused(record, stream, plan, failed, `writing the texts of ${entityPath}`);
      }
      return { key: record.key, outcome: 'updated', ...(note ? { message: note } : {}) };
    }
  }

  return async (stream, records) => {
    if (cfg.profile === 'generic' || (stream !== 'items' && stream !== 'groups')) {
      const why = cfg.profile === 'generic' ? 'the generic profile does not write; use profile s4 or bc' : `the ${cfg.profile} profile writes items and groups; ${stream} are maintained in the ERP`;
      return records.map((r) => ({ key: r.key, outcome: 'failed' as const, message: `${stream.slice(0, -1)} ${r.key}: ${why}` }));
    }
    const plan = await ctx.plan(stream);
    const results: SinkResult[] = [];
    for (const record of records) {
      try {
        results.push(await writeOne(stream, plan, record));
      } catch (error) {
        if (error instanceof ErpError && (error.code === 'auth' || error.code === 'unreachable')) throw error;
        const field = error instanceof FieldProblem ? `field ${error.field}: ` : '';
        results.push({ key: record.key, outcome: 'failed', message: `${stream.slice(0, -1)} ${record.key}: ${field}${(error as Error).message}` });
      }
    }
    return results;
  };
}
