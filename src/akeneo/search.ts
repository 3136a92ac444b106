/**
 * A typed builder for Akeneo's `search` query parameter:
 *   search().updatedSince(since).family(['shoes']).in('sku', skus).build()
 * Long IN lists are split so every URL stays under the limit proxies and Akeneo accept
 * (414 otherwise): chunks() returns one search string per chunk; the resources' list()
 * walks them all.
 */

export type DateStyle = 'product' | 'iso';

export interface Criterion {
  operator: string;
  value?: unknown;
  locale?: string;
  scope?: string;
  locales?: string[];
}

export interface ValueContext {
  locale?: string;
  scope?: string;
}

/** Akeneo's cap on identifier IN lists (7.0/SaaS); other lists follow it too, which keeps URLs short. */
export const MAX_IN_VALUES = 100;
/** Room left for the `search` parameter once encoded: ~8 KB URL minus base, route and other parameters. */
export const MAX_SEARCH_CHARS = 6000;

type DateMarker = { __date: Date; day?: boolean };

function formatDate(date: Date, style: DateStyle): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('search: invalid date');
  const iso = date.toISOString().slice(0, 19);
  // Products and product models filter with "YYYY-MM-DD hh:mm:ss" (UTC on SaaS); other entities with ISO-8601.
  return style === 'product' ? iso.replace('T', ' ') : `${iso}Z`;
}

function resolveDates(value: unknown, style: DateStyle): unknown {
  if (value && typeof value === 'object' && '__date' in value) {
    const m = value as DateMarker;
    // Date attributes hold days: Akeneo compares them as YYYY-MM-DD.
    return m.day ? formatDate(m.__date, 'iso').slice(0, 10) : formatDate(m.__date, style);
  }
  if (Array.isArray(value)) return value.map((v) => resolveDates(v, style));
  return value;
}

function toDate(value: Date | string | number): DateMarker {
  return { __date: value instanceof Date ? value : new Date(value) };
}

export class SearchBuilder {
  private readonly filters = new Map<string, Criterion[]>();

  constructor(private readonly dateStyle: DateStyle = 'product') {}

  /** Any filter: `where('sku', 'STARTS WITH', 'AB')`, `where('family', 'EMPTY')`. */
  where(property: string, operator: string, value?: unknown, context: ValueContext & { locales?: string[] } = {}): this {
    const criterion: Criterion = { operator };
    if (value !== undefined) criterion.value = value;
    if (context.locale !== undefined) criterion.locale = context.locale;
    if (context.scope !== undefined) criterion.scope = context.scope;
    if (context.locales !== undefined) criterion.locales = context.locales;
    const list = this.filters.get(property) ?? [];
    list.push(criterion);
    this.filters.set(property, list);
    return this;
  }

  /**
   * Items updated at or after `since`. Akeneo only has a strict `>` at second precision, so
   * we ask for "> since − 1 s": a record written in the same second as the watermark is kept.
   */
  updatedSince(since: Date | string | number): this {
    const d = toDate(since).__date;
    return this.where('updated', '>', toDate(new Date(Math.floor(d.getTime() / 1000) * 1000 - 1000)));
  }
  updatedBetween(from: Date | string | number, to: Date | string | number): this {
    return this.where('updated', 'BETWEEN', [toDate(from), toDate(to)]);
  }
  createdSince(since: Date | string | number): this {
    const d = toDate(since).__date;
    return this.where('created', '>', toDate(new Date(Math.floor(d.getTime() / 1000) * 1000 - 1000)));
  }

  /** `property IN values`; long lists are chunked by chunks(). */
  in(property: string, values: readonly unknown[], context: ValueContext = {}): this {
    return this.where(property, 'IN', [...values], context);
  }
  notIn(property: string, values: readonly unknown[], context: ValueContext = {}): this {
    return this.where(property, 'NOT IN', [...values], context);
  }

  /** Product (model) uuids or codes: `uuid IN` for products, `identifier IN` for product models. */
  uuids(values: readonly string[]): this {
    return this.in('uuid', values);
  }
  codes(values: readonly string[]): this {
    return this.in('code', values);
  }

  family(codes: readonly string[] | string, operator: 'IN' | 'NOT IN' = 'IN'): this {
    return this.where('family', operator, typeof codes === 'string' ? [codes] : [...codes]);
  }
  withoutFamily(): this {
    return this.where('family', 'EMPTY');
  }

  categories(
    codes: readonly string[] | string,
    operator: 'IN' | 'NOT IN' | 'IN OR UNCLASSIFIED' | 'IN CHILDREN' | 'NOT IN CHILDREN' = 'IN',
  ): this {
    return this.where('categories', operator, typeof codes === 'string' ? [codes] : [...codes]);
  }
  unclassified(): this {
    return this.where('categories', 'UNCLASSIFIED');
  }

  enabled(value = true): this {
    return this.where('enabled', '=', value);
  }

  /**
   * Completeness on a channel: `completeness('=', 100, 'ecommerce')`, or the "on all locales"
   * operators with their locales list.
   */
  completeness(
    operator: '<' | '<=' | '=' | '!=' | '>=' | '>' | 'GREATER THAN ON ALL LOCALES' | 'GREATER OR EQUALS THAN ON ALL LOCALES' | 'LOWER THAN ON ALL LOCALES' | 'LOWER OR EQUALS THAN ON ALL LOCALES',
    value: number,
    scope: string,
    locales?: string[],
  ): this {
    return this.where('completeness', operator, value, { scope, ...(locales ? { locales } : {}) });
  }

  parent(operator: '=' | 'IN' | 'EMPTY' | 'NOT EMPTY', value?: string | readonly string[]): this {
    return this.where('parent', operator, Array.isArray(value) ? [...value] : value);
  }

  /**
   * An attribute value filter; give locale only for localizable attributes and scope only for
   * scopable ones. A Date value (or a list of them, for BETWEEN) is sent as a day, YYYY-MM-DD.
   */
  attribute(code: string, operator: string, value?: unknown, context: ValueContext = {}): this {
    const day = (v: unknown) => (v instanceof Date ? { __date: v, day: true } : v);
    return this.where(code, operator, Array.isArray(value) ? value.map(day) : day(value), context);
  }

  isEmpty(): boolean {
    return this.filters.size === 0;
  }

  /** The search JSON for one request; throws if an IN list is too long for one URL (use chunks()). */
  build(style: DateStyle = this.dateStyle): string {
    const all = this.chunks(style);
    if (all.length > 1) {
      throw new RangeError(`search: an IN list is too long for one request (${all.length} chunks needed); use chunks() or pass the builder to list()`);
    }
    return all[0]!;
  }

  toString(): string {
    return this.build();
  }

  /**
   * One search string per request, so each stays under MAX_SEARCH_CHARS once URL-encoded and
   * no IN list exceeds MAX_IN_VALUES. Only the longest IN list is split; the others repeat.
   */
  chunks(style: DateStyle = this.dateStyle, maxChars = MAX_SEARCH_CHARS, maxValues = MAX_IN_VALUES): string[] {
    const render = (filters: Map<string, Criterion[]>): string => {
      const out: Record<string, Criterion[]> = {};
      for (const [k, list] of filters) out[k] = list.map((c) => ({ ...c, ...(c.value !== undefined ? { value: resolveDates(c.value, style) } : {}) }));
      return JSON.stringify(out);
    };
    const whole = render(this.filters);
    let target: { property: string; index: number; values: unknown[] } | undefined;
    for (const [property, list] of this.filters) {
      list.forEach((c, index) => {
        if ((c.operator === 'IN' || c.operator === 'NOT IN') && Array.isArray(c.value)) {
          if (!target || c.value.length > target.values.length) target = { property, index, values: c.value };
        }
      });
    }
    const fits = (s: string) => encodeURIComponent(s).length <= maxChars;
    if (!target || (fits(whole) && target.values.length <= maxValues)) {
      if (!fits(whole)) throw new RangeError('search: the filters are too long for one URL even without IN lists');
      return [whole];
    }
    if (this.filters.get(target.property)![target.index]!.operator === 'NOT IN') {
      // Splitting a NOT IN would widen the result (each chunk excludes only part of the list).
      throw new RangeError(`search: the NOT IN list on ${target.property} is too long for one URL; narrow it`);
    }
    const withValues = (values: unknown[]) => {
      const copy = new Map<string, Criterion[]>();
      for (const [k, list] of this.filters) copy.set(k, list.map((c) => ({ ...c })));
      copy.get(target!.property)![target!.index]!.value = values;
      return render(copy);
    };
    const out: string[] = [];
    let current: unknown[] = [];
    for (const value of target.values) {
      const next = [...current, value];
      if (current.length > 0 && (next.length > maxValues || !fits(withValues(next)))) {
        out.push(withValues(current));
        current = [value];
      } else {
        current = next;
      }
      if (current.length === 1 && !fits(withValues(current))) throw new RangeError(`search: a single ${target.property} value is too long for a URL`);
    }
    if (current.length > 0) out.push(withValues(current));
    return out;
  }
}

/** Starts a search; `dateStyle` is 'product' for products/product models (the default) and 'iso' for other entities. */
export function search(dateStyle: DateStyle = 'product'): SearchBuilder {
  return new SearchBuilder(dateStyle);
}
