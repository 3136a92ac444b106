/**
 * The generated connection forms: every ERP adapter's zod schema, converted as the server does
 * (GET /connections/forms), gives a form whose fields all have an input, whose required fields
 * are enforced (empty → named, filled → accepted), and whose secret keys are write-only inputs.
 */
import { describe, expect, it } from 'vitest';
import { connectionForms } from '../../src/server/config/connections.js';
import { compact, fieldKind, isStoredSecret, labelOf, missingRequired, splitFields, type JsonSchema } from '../../web/src/schema-form.js';
import { secretNameFor, sectionChanges } from '../../web/src/config-changes.js';

const forms = connectionForms();

describe('forms generated from the adapters\' schemas', () => {
  it.each(forms.erp.map((f) => [f.type, f.schema as JsonSchema] as const))('%s: every field renders, required ones are enforced', (type, schema) => {
    const { main, more } = splitFields(schema);
    const props = Object.keys(schema.properties ?? {}).filter((k) => k !== 'type');
    expect([...main, ...more].sort()).toEqual(props.sort());
    for (const key of props) expect(['text', 'secret', 'number', 'boolean', 'select', 'list', 'object', 'json']).toContain(fieldKind(key, schema.properties![key]!));
    const required = (schema.required ?? []).filter((k) => k !== 'type' && schema.properties![k]!.default === undefined);
    expect(missingRequired(schema, { type }).sort()).toEqual(required.sort());
    // Filled (a secret counts when typed), nothing is missing.
    const filled: Record<string, unknown> = { type };
    const typed: Record<string, string> = {};
    for (const key of required) {
      const kind = fieldKind(key, schema.properties![key]!);
      if (kind === 'secret') typed[key] = 'typed';
      else filled[key] = kind === 'number' ? 1 : kind === 'list' ? ['x'] : kind === 'json' || kind === 'object' ? { x: 1 } : 'x';
    }
    expect(missingRequired(schema, filled, typed)).toEqual([]);
  });

  it('tryton: URL, database, username required; the password is a write-only secret', () => {
    const tryton = forms.erp.find((f) => f.type === 'tryton')!.schema as JsonSchema;
    expect(missingRequired(tryton, { type: 'tryton', url: 'http://x' })).toEqual(['database', 'username', 'password']);
    expect(fieldKind('password', tryton.properties!.password!)).toBe('secret');
    expect(missingRequired(tryton, { type: 'tryton', url: 'http://x', database: 'erp', username: 'admin', password: '${secret:ERP_PASSWORD}' })).toEqual([]);
    expect(isStoredSecret('${secret:ERP_PASSWORD}')).toBe(true);
    expect(isStoredSecret('********')).toBe(true);
    expect(isStoredSecret('typed')).toBe(false);
  });

  it('the PIM form has the Connection and App token shapes', () => {
    const branches = (forms.pim as JsonSchema).anyOf!;
    const connection = branches.find((b) => b.properties?.clientId)!;
    const app = branches.find((b) => b.properties?.token)!;
    expect(missingRequired(connection, {})).toEqual(['url', 'clientId', 'secret', 'username', 'password']);
    expect(missingRequired(app, { url: 'https://pim' })).toEqual(['token']);
    expect(labelOf('clientId')).toBe('Client ID');
    expect(labelOf('connectTimeoutMs')).toBe('Connect timeout (ms)');
  });

  it('a save sends the section and each typed secret under its own name, never in the section', () => {
    expect(secretNameFor('erp', 'connection.password')).toBe('ERP_CONNECTION_PASSWORD');
    const changes = sectionChanges('pim', { url: 'https://a', secret: '${secret:PIM_SECRET}', password: '${PIM_PASSWORD}' }, { url: 'https://b', clientId: 'c', username: 'u', secret: '', password: '' }, { secret: 'new-secret' });
    expect(changes).toEqual([
      { path: 'pim', value: { url: 'https://b', clientId: 'c', username: 'u', password: '${PIM_PASSWORD}', secret: '${secret:PIM_SECRET}' } },
      { path: 'pim.secret', value: 'new-secret', secret: 'PIM_SECRET' },
    ]);
    expect(compact({ a: '', b: { c: undefined }, d: 0 })).toEqual({ d: 0 });
  });
});
