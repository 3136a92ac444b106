/**
 * OData JSON values → Ferry values. v2 writes dates as `/Date(ms±hhmm)/` and decimals as strings;
 * v4 writes ISO instants and (with IEEE754Compatible=true, which the client always asks for)
 * decimals as strings too, so amounts stay exact.
 */

const V2_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** An OData date-time in either JSON format → ISO-8601 UTC, or null when it is none. */
export function odataInstant(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return null;
  const v2 = V2_DATE.exec(value);
  if (v2) {
    // The ticks are UTC milliseconds; the offset only says which zone the server displays in.
    const ms = Number(v2[1]);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(value)) {
    // Edm.DateTime (v2) has no offset: SAP stores it as UTC.
    const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
    const t = Date.parse(withZone);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

/** An Edm.Date / v2 date-only value → YYYY-MM-DD. */
export function odataDate(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const iso = odataInstant(value);
  return iso ? iso.slice(0, 10) : null;
}

/** An exact decimal string from an Edm.Decimal (string) or a JSON number; null when blank. */
export function odataDecimal(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    const t = value.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new Error(`"${value}" is not a decimal`);
    return t;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Error(`${JSON.stringify(value)} is not a decimal`);
}

/** The entity rows of a collection response in either version. */
export function collectionRows(body: unknown): Record<string, unknown>[] | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.value)) return b.value as Record<string, unknown>[];
  const d = b.d as Record<string, unknown> | unknown[] | undefined;
  if (Array.isArray(d)) return d as Record<string, unknown>[]; // v1-style bare array
  if (d && typeof d === 'object' && Array.isArray((d as Record<string, unknown>).results)) {
    return (d as { results: Record<string, unknown>[] }).results;
  }
  return null;
}

/** The next-page link of a collection response (v4 @odata.nextLink, v2 d.__next), or null. */
export function nextLink(body: unknown): string | null {
  const b = body as Record<string, unknown>;
  if (typeof b['@odata.nextLink'] === 'string') return b['@odata.nextLink'];
  const d = b.d as Record<string, unknown> | undefined;
  if (d && typeof d === 'object' && typeof d.__next === 'string') return d.__next;
  return null;
}

/** The total count a response carries ($inlinecount / $count), or null. v2 sends it as a string. */
export function totalCount(body: unknown): number | null {
  const b = body as Record<string, unknown>;
  const raw = b['@odata.count'] ?? (b.d as Record<string, unknown> | undefined)?.__count;
  if (raw === undefined || raw === null) return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** An expanded navigation property's rows: v4 arrays, v2 `{ results: [...] }`; null when not expanded (deferred). */
export function expandedRows(value: unknown): Record<string, unknown>[] | null {
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.results)) return v.results as Record<string, unknown>[];
    if (v.__deferred) return null;
    return [v];
  }
  return null;
}
