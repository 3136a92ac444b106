/**
 * $metadata (EDMX, v2 and v4) → entity sets, their types' properties, keys and navigation
 * properties. Read with fast-xml-parser; only what describe() and config checks need.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ODataVersion } from './query.js';

export interface EdmProperty {
  name: string;
  /** e.g. Edm.String, Edm.Decimal, Edm.DateTimeOffset */
  type: string;
  nullable: boolean;
  maxLength?: number;
  label?: string;
}
export interface EdmNavigation {
  name: string;
  /** The entity type reached (qualified name stripped of Collection()). */
  target: string | null;
  many: boolean;
}
export interface EdmEntityType {
  name: string;
  keys: string[];
  properties: Map<string, EdmProperty>;
  navigations: Map<string, EdmNavigation>;
}
export interface EdmModel {
  version: ODataVersion;
  /** Entity set name → its entity type. */
  entitySets: Map<string, EdmEntityType>;
  /** Entity type name (unqualified) → type. */
  types: Map<string, EdmEntityType>;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const local = (qualified: string): string => qualified.replace(/^Collection\((.*)\)$/, '$1').split('.').pop()!;

export function parseMetadata(xml: string): EdmModel {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true });
  const doc = parser.parse(xml) as Node;
  const edmx = doc.Edmx as Node | undefined;
  if (!edmx) throw new Error('not an EDMX document (no Edmx root element)');
  const version: ODataVersion = String(edmx['@Version'] ?? '').startsWith('4') ? '4' : '2';
  const schemas = list((edmx.DataServices as Node | undefined)?.Schema);
  const types = new Map<string, EdmEntityType>();
  // v2 associations: name → ends (role → multiplicity, type), for a navigation's cardinality.
  const associations = new Map<string, Map<string, { type: string; many: boolean }>>();
  for (const schema of schemas) {
    for (const a of list(schema.Association)) {
      const ends = new Map<string, { type: string; many: boolean }>();
      for (const end of list(a.End)) ends.set(String(end['@Role']), { type: local(String(end['@Type'])), many: end['@Multiplicity'] === '*' });
      associations.set(String(a['@Name']), ends);
    }
  }
  for (const schema of schemas) {
    for (const t of list(schema.EntityType)) {
      const name = String(t['@Name']);
      const keys = list((t.Key as Node | undefined)?.PropertyRef).map((k) => String(k['@Name']));
      const properties = new Map<string, EdmProperty>();
      for (const p of list(t.Property)) {
        const maxLength = Number(p['@MaxLength']);
        const label = p['@label'] ?? p['@sap:label'];
        properties.set(String(p['@Name']), {
          name: String(p['@Name']),
          type: String(p['@Type']),
          nullable: p['@Nullable'] !== 'false',
          ...(Number.isFinite(maxLength) ? { maxLength } : {}),
          ...(typeof label === 'string' ? { label } : {}),
        });
      }
      const navigations = new Map<string, EdmNavigation>();
      for (const n of list(t.NavigationProperty)) {
        if (n['@Type']) {
          const type = String(n['@Type']);
          navigations.set(String(n['@Name']), { name: String(n['@Name']), target: local(type), many: type.startsWith('Collection(') });
        } else {
          const rel = local(String(n['@Relationship'] ?? ''));
          const end = associations.get(rel)?.get(String(n['@ToRole']));
          navigations.set(String(n['@Name']), { name: String(n['@Name']), target: end?.type ?? null, many: end?.many ?? true });
        }
      }
      types.set(name, { name, keys, properties, navigations });
    }
  }
  const entitySets = new Map<string, EdmEntityType>();
  for (const schema of schemas) {
    for (const container of list(schema.EntityContainer)) {
      for (const set of list(container.EntitySet)) {
        const type = types.get(local(String(set['@EntityType'])));
        if (type) entitySets.set(String(set['@Name']), type);
      }
    }
  }
  return { version, entitySets, types };
}
