/**
 * The ERP port: what mapping and sync know of any ERP.
 *
 * Adapters (src/erp/tryton, src/erp/sql, src/erp/files, …) implement ErpSource and,
 * where their ERP takes writes, ErpSink. Nothing outside src/erp imports an adapter
 * directly; the factory in src/erp/factory.ts builds one from the `erp:` config.
 * The record shape is documented in docs/erp-records.md.
 */

export type StreamName = 'items' | 'groups' | 'categories' | 'attributes';
export const STREAM_NAMES: readonly StreamName[] = ['items', 'groups', 'categories', 'attributes'];

/** A text with one value per ERP language (`en`, `fr`, `de`, …). A language is absent when the ERP has no real translation for it. */
export interface LocalizedText {
  kind: 'localized';
  values: Record<string, string>;
}
/** An amount with its ERP unit (`kg`, `lb`, `cm`, …). The amount is an exact decimal string. */
export interface Quantity {
  kind: 'quantity';
  amount: string;
  unit: string;
}
/** An exact decimal kept as a string (`"12.50"`), never a float. */
export interface Decimal {
  kind: 'decimal';
  value: string;
}
/** A money amount; only ever mapped when the mapping declares a reference price. */
export interface Money {
  kind: 'money';
  amount: string;
  currency: string;
}

export type ScalarFieldValue = string | number | boolean | null;
export type FieldValue = ScalarFieldValue | LocalizedText | Quantity | Decimal | Money | FieldValue[];

export interface ErpRecord {
  stream: StreamName;
  /** Stable key in the ERP (the SKU for items, the template/model code for groups, the category code, the attribute code). */
  key: string;
  /** Last change in the ERP as ISO-8601 with offset, or null when the ERP has no date for this record. */
  updatedAt: string | null;
  /** Items: the key of the group (template/model) they belong to, if any. Categories: unused. */
  group?: string | null;
  /** Categories: the key of the parent category (null for a root). */
  parent?: string | null;
  /** Keys of the categories the record is classified in. */
  categories?: string[];
  /** Whether the ERP still sells/uses the record; false for archived/inactive. */
  active?: boolean;
  fields: Record<string, FieldValue>;
}

export type FieldType =
  | 'string'
  | 'text'
  | 'localized'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'quantity'
  | 'money'
  | 'select'
  | 'multiselect'
  | 'url'
  | 'file';

export interface FieldDescription {
  name: string;
  type: FieldType;
  label?: string;
  /** quantity: the unit(s) seen or declared; localized: the languages available. */
  units?: string[];
  languages?: string[];
  /** select/multiselect: the allowed values when the ERP declares them. */
  options?: string[];
  /**
   * select/multiselect: the ERP's label of each option (option value → one text per ERP language),
   * when the ERP has labels. An option without an entry, or a language without a text, has none.
   */
  optionLabels?: Record<string, LocalizedText>;
  nullable?: boolean;
  /** Heuristic or declared: this field is hot data (price, cost, stock). */
  hot?: boolean;
}

export interface StreamDescription {
  stream: StreamName;
  fields: FieldDescription[];
  /** Whether `since` is supported (false: every read is a full read). */
  supportsDelta: boolean;
  /** How the adapter guarantees nothing is missed at the delta boundary, in one sentence. */
  deltaStrategy?: string;
}

export interface CheckResult {
  ok: boolean;
  /** e.g. "Tryton 6.0", "PostgreSQL 15.4", "files in ./drop". */
  system: string;
  /** Human-readable facts: user, database, languages, … (never secrets). */
  details: Record<string, string | number | boolean | null>;
  /** Record counts per stream where cheap to obtain, else null. */
  counts: Partial<Record<StreamName, number | null>>;
  /** When !ok: what is wrong and how to fix it. */
  problems: string[];
}

/** A record that could not be read. It is reported, never silently dropped. */
export interface RejectedRecord {
  stream: StreamName;
  /** Where: `file.csv:12:4`, `key SKU-1`, `row id 42`. */
  location: string;
  key?: string;
  field?: string;
  /** The raw content as read (a line, a JSON text), truncated to a sane size. */
  raw: string;
  message: string;
}

export interface ReadOptions {
  /** Inclusive lower bound on updatedAt (ISO-8601). Adapters widen it by their documented skew margin. */
  since?: string;
  keys?: string[];
  limit?: number;
  signal?: AbortSignal;
  /** Called for every record that could not be read; the read continues. */
  onReject?: (rejected: RejectedRecord) => void;
  /**
   * `none`: the caller needs each record's key, group, parent, categories, active flag and
   * updatedAt, not its fields (a queued run's plan, which only cuts the items into shards). An
   * adapter may then leave `fields` empty and skip their columns and look-ups; one that cannot
   * reads them as usual. Rows are rejected only for what is read: a bad field is the shard's.
   */
  fields?: 'all' | 'none';
}

export interface ErpSource {
  /** Adapter kind: 'tryton', 'sql', 'files', … */
  readonly kind: string;
  readonly streams: readonly StreamName[];
  /**
   * Optional: describe() gives select fields' optionLabels. The sync then asks describe() once per
   * run to keep the PIM's option labels up to date; without it, describe() is left to bootstrap and check.
   */
  readonly describesOptionLabels?: boolean;
  check(): Promise<CheckResult>;
  describe(): Promise<StreamDescription[]>;
  read(stream: StreamName, options?: ReadOptions): AsyncIterable<ErpRecord>;
  close(): Promise<void>;
  /**
   * Optional: the run failed. An adapter with end-of-run side effects (the files adapter
   * moves the files it read to done/ on close()) forgets them, so the next run reads them
   * again. Call it before close() when a run fails.
   */
  abandon?(): void;
  /**
   * Optional: the keys still waiting in the retry queue after a settled run, per stream
   * (called before close()). An adapter that consumes its input (the files adapter) keeps
   * the input holding those keys, so the next run can read them again by key.
   */
  keepForRetry?(pending: Partial<Record<StreamName, readonly string[]>>): void;
}

export type SinkOutcome = 'created' | 'updated' | 'unchanged' | 'failed';
export interface SinkResult {
  key: string;
  outcome: SinkOutcome;
  message?: string;
  /** The ERP's own id of the record written (e.g. `product_42` in Tryton), when it has one apart from the key. */
  id?: string;
}
/** A record created under the number the ERP gave it (see ErpSink.createNumbered). */
export interface NumberedProduct {
  group: ErpRecord | null;
  item: ErpRecord;
  /** The PIM product's id (uuid), kept in the ERP to find the product again. */
  origin: string;
}
export interface NumberedResult extends SinkResult {
  /** The ERP's number for the record (its code, the new SKU) when created or adopted. */
  assignedKey?: string;
  /** Created by an earlier run for the same origin, found and adopted (not created again). */
  adopted?: boolean;
}
export interface ErpSink {
  readonly kind: string;
  upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]>;
  /**
   * Optional: the ERP numbers new products itself (Tryton's product sequence). Creates each
   * product (its group record, when the ERP keeps one, and its item) without a code and answers,
   * by the records' provisional keys, with the code the ERP gave it. `origin` (the PIM product's
   * uuid) is kept in the ERP with the product, in the same transaction: a product an earlier run
   * created, but died before the PIM knew its number, is found by it and adopted (answered with
   * its code and `adopted: true`) instead of created a second time.
   */
  createNumbered?(products: NumberedProduct[]): Promise<NumberedResult[]>;
  close(): Promise<void>;
}

/** Errors an adapter raises for a whole-source failure (unreachable, refused login, bad config). */
export class ErpError extends Error {
  constructor(
    message: string,
    readonly code: 'unreachable' | 'auth' | 'config' | 'protocol' | 'encoding' | 'io',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ErpError';
  }
}
