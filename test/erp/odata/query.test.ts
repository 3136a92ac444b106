/**
 * The $filter encoder and the OData value readers, without a server: literals are quoted so that
 * any text reads back as itself (property test), and dates/decimals/collections parse in both
 * protocol versions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterText, literal, parseStringLiteral, queryString } from '../../../src/erp/odata/query.js';
import { collectionRows, nextLink, odataDecimal, odataInstant, totalCount } from '../../../src/erp/odata/values.js';
import { retryAfterMs } from '../../../src/erp/odata/http.js';

describe('filter encoder', () => {
  it('quotes any string literal so it reads back unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const lit = literal({ kind: 'string', value: text }, '4');
        expect(parseStringLiteral(lit)).toBe(text);
        // The query string decodes back to exactly the filter text.
        const q = queryString({ filter: { op: 'eq', property: 'Product', literal: { kind: 'string', value: text } } }, '4');
        expect(decodeURIComponent(q.replace(/^\$filter=/, ''))).toBe(`Product eq ${lit}`);
      }),
    );
  });

  it("doubles quotes: O'Brien → 'O''Brien'", () => {
    expect(literal({ kind: 'string', value: "O'Brien" }, '2')).toBe("'O''Brien'");
  });

  it('writes instants per version and nests and/or', () => {
    const at = new Date('2024-05-01T12:00:00Z');
    const f = { op: 'and' as const, filters: [{ op: 'raw' as const, text: "ProductType ne 'KMAT'" }, { op: 'ge' as const, property: 'LastChangeDateTime', literal: { kind: 'instant' as const, value: at } }] };
    expect(filterText(f, '2')).toBe("(ProductType ne 'KMAT') and (LastChangeDateTime ge datetimeoffset'2024-05-01T12:00:00.000Z')");
    expect(filterText(f, '4')).toBe("(ProductType ne 'KMAT') and (LastChangeDateTime ge 2024-05-01T12:00:00.000Z)");
  });

  it('refuses property names that would inject syntax', () => {
    expect(() => filterText({ op: 'eq', property: "Product eq 'x' or 1", literal: { kind: 'null' } }, '4')).toThrow(/not an OData property name/);
    expect(() => queryString({ select: ['Product,Secret)'] }, '4')).toThrow();
  });

  it('asks v2 for JSON and $inlinecount, v4 for $count', () => {
    expect(queryString({ count: true, top: 0 }, '2')).toBe('$top=0&$inlinecount=allpages&$format=json');
    expect(queryString({ count: true, top: 0 }, '4')).toBe('$top=0&$count=true');
  });
});

describe('OData values', () => {
  it('reads /Date(ms±hhmm)/, Edm.DateTime without offset (UTC) and DateTimeOffset', () => {
    expect(odataInstant('/Date(1391853696827+0000)/')).toBe('2014-02-08T10:01:36.827Z');
    expect(odataInstant('/Date(1391853696827+0100)/')).toBe('2014-02-08T10:01:36.827Z');
    expect(odataInstant('/Date(-1000)/')).toBe('1969-12-31T23:59:59.000Z');
    expect(odataInstant('2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(odataInstant('2024-05-01T12:00:00+02:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(odataInstant('yesterday')).toBeNull();
  });

  it('keeps decimals exact and refuses non-numbers', () => {
    expect(odataDecimal('20.350')).toBe('20.350');
    expect(odataDecimal('12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
    expect(odataDecimal(null)).toBeNull();
    expect(() => odataDecimal('12,5')).toThrow(/not a decimal/);
  });

  it('finds rows, next links and counts in both versions', () => {
    const v2 = { d: { results: [{ a: 1 }], __next: 'http://h/S/A?$skiptoken=2', __count: '7' } };
    const v4 = { value: [{ a: 1 }], '@odata.nextLink': 'A?$skiptoken=2', '@odata.count': 7 };
    for (const body of [v2, v4]) {
      expect(collectionRows(body)).toEqual([{ a: 1 }]);
      expect(nextLink(body)).toMatch(/skiptoken=2$/);
      expect(totalCount(body)).toBe(7);
    }
    expect(collectionRows({ error: {} })).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeNull();
  });
});

describe('describe types from $metadata', () => {
  it('maps EDM types; a string without a short MaxLength is text', async () => {
    const { parseMetadata } = await import('../../../src/erp/odata/metadata.js');
    const { describeFields, planStream } = await import('../../../src/erp/odata/reader.js');
    const model = parseMetadata(`<?xml version="1.0"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="P"><Key><PropertyRef Name="Id"/></Key>
<Property Name="Id" Type="Edm.String" MaxLength="40" Nullable="false"/><Property Name="Notes" Type="Edm.String"/><Property Name="Long" Type="Edm.String" MaxLength="1000"/>
<Property Name="Price" Type="Edm.Decimal"/><Property Name="Qty" Type="Edm.Int32"/><Property Name="At" Type="Edm.DateTimeOffset"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Ps" EntityType="S.P"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`);
    expect(model.version).toBe('4');
    const plan = planStream(
      { stream: 'items', entitySet: 'Ps', key: 'Id', fields: { id: 'Id', notes: 'Notes', long: 'Long', price: 'Price', qty: 'Qty', at: 'At' }, fromProfile: new Set() },
      model,
      'http://x',
    );
    expect(describeFields(plan).map((f) => [f.name, f.type])).toEqual([
      ['id', 'string'],
      ['notes', 'text'],
      ['long', 'text'],
      ['price', 'decimal'],
      ['qty', 'integer'],
      ['at', 'datetime'],
    ]);
  });
});
