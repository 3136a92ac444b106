/** What a Connections save sends: the section, and each typed secret under its own name (pure, tested without a browser). */
import type { ConfigChange } from '../../src/server/api/contract.js';
import { compact, isSecretKey } from './schema-form.js';

/** `erp` + `connection.password` → ERP_CONNECTION_PASSWORD: the name in the secrets file. */
export function secretNameFor(section: string, path: string): string {
  return `${section}_${path}`.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** The edits that turn the saved section into the form's, secrets as `secret` changes. */
export function sectionChanges(section: 'pim' | 'erp', saved: Record<string, unknown> | undefined, form: Record<string, unknown>, typed: Record<string, string>): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const values = compact(form);
  // Secrets the form did not retype keep their stored value or reference.
  const kept: Record<string, unknown> = structuredClone(values);
  for (const [k, v] of Object.entries(saved ?? {})) if (isSecretKey(k) && !(k in typed) && k in form) kept[k] = v;
  // A typed secret's key gets its reference in place (order kept); the value itself goes to the secrets file.
  const typedNow = Object.entries(typed).filter(([, v]) => v !== '');
  for (const [path] of typedNow) {
    const keys = path.split('.');
    let at = kept;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = `\${secret:${secretNameFor(section, path)}}`;
  }
  changes.push({ path: section, value: kept });
  for (const [path, value] of typedNow) changes.push({ path: `${section}.${path}`, value, secret: secretNameFor(section, path) });
  return changes;
}

