/**
 * OData query options built from values, never from string concatenation by callers:
 * literals are quoted per protocol version ('' inside strings, datetime'…' in v2, bare
 * ISO instants in v4), and every option is percent-encoded once, here.
 */

export type ODataVersion = '2' | '4';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'instant'; value: Date }
  | { kind: 'number'; value: string | number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export type Filter =
  | { op: 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt'; property: string; literal: Literal }
  | { op: 'and' | 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  | { op: 'raw'; text: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Throws on a property path that could smuggle syntax into a filter. */
export function checkIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not an OData property name (letters, digits, _ and / between segments)`);
  return name;
}

/** One literal as the protocol version writes it. Strings double their single quotes. */
export function literal(lit: Literal, version: ODataVersion): string {
  switch (lit.kind) {
    case 'string':
      return `'${lit.value.replace(/'/g, "''")}'`;
    case 'instant': {
      if (Number.isNaN(lit.value.getTime())) throw new Error('invalid date in an OData filter');
      const iso = lit.value.toISOString();
      // v2: Edm.DateTimeOffset literal (S/4's LastChangeDateTime); v4: a bare DateTimeOffset.
      return version === '2' ? `datetimeoffset'${iso}'` : iso;
    }
    case 'number': {
      const text = String(lit.value);
      if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new Error(`"${text}" is not a number`);
      return text;
    }
    case 'boolean':
      return lit.value ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

export function filterText(filter: Filter, version: ODataVersion): string {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map((f) => filterText(f, version));
      return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(` ${filter.op} `);
    }
    case 'not':
      return `not (${filterText(filter.filter, version)})`;
    case 'raw':
      return filter.text;
    default:
      return `${checkIdentifier(filter.property)} ${filter.op} ${literal(filter.literal, version)}`;
  }
}

export interface QueryOptions {
  filter?: Filter | undefined;
  select?: string[] | undefined;
  /** Navigation properties to expand. */
  expand?: string[] | undefined;
  orderby?: string[] | undefined;
  top?: number | undefined;
  skip?: number | undefined;
  /** Ask for the total count ($inlinecount=allpages in v2, $count=true in v4). */
  count?: boolean | undefined;
}

/** Percent-encodes a query option value, keeping the characters OData readers expect verbatim. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/g, ',').replace(/%2F/g, '/').replace(/%24/g, '$').replace(/%3A/g, ':');
}

/** The query string (without '?') for an entity set read. */
export function queryString(options: QueryOptions, version: ODataVersion): string {
  const parts: string[] = [];
  if (options.filter) parts.push(`$filter=${encodeValue(filterText(options.filter, version))}`);
  if (options.select?.length) parts.push(`$select=${encodeValue(options.select.map(checkIdentifier).join(','))}`);
  if (options.expand?.length) parts.push(`$expand=${encodeValue(options.expand.map(checkIdentifier).join(','))}`);
  if (options.orderby?.length) parts.push(`$orderby=${encodeValue(options.orderby.map(checkIdentifier).join(','))}`);
  if (options.top !== undefined) parts.push(`$top=${options.top}`);
  if (options.skip !== undefined && options.skip > 0) parts.push(`$skip=${options.skip}`);
  if (options.count) parts.push(version === '2' ? '$inlinecount=allpages' : '$count=true');
  if (version === '2') parts.push('$format=json');
  return parts.join('&');
}

/** Parses a filter literal back (tests: the encoder's output must read back as its input). */
export function parseStringLiteral(text: string): string {
  if (!text.startsWith("'") || !text.endsWith("'") || text.length < 2) throw new Error(`not a string literal: ${text}`);
  const body = text.slice(1, -1);
  if (/(^|[^'])'(?!')/.test(body.replace(/''/g, ''))) throw new Error(`unescaped quote in ${text}`);
  return body.replace(/''/g, "'");
}
