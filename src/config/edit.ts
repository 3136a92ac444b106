/**
 * Edits ferry.yaml by key path and keeps everything else byte for byte: comments, order, blank
 * lines, `${ENV}` references, the alignment of trailing comments. The `yaml` Document API finds
 * each node's place in the text (its `range`) and the edit splices only those bytes; stringifying
 * the whole document would re-space comments and flow lists. Where a splice cannot be placed
 * (inside a flow collection `{ a: 1 }`), the edit falls back to the Document API's own output.
 *
 * Also here: literal secrets redacted from the text and the data the Console shows.
 */
import { createHash } from 'node:crypto';
import { isMap, isPair, isScalar, isSeq, parseDocument, stringify, visit, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { isConfigSecretKey } from '../logging.js';

export type KeyPath = (string | number)[];

export interface ConfigEdit {
  path: string;
  value?: unknown;
  remove?: true;
}

export const REDACTED = '********';

/** `postgres://user:pass@host` → `postgres://user:********@host`: a password inside a URL is a secret too. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)([^\s/?#@]+)@/gi;
function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, (m, head: string, pass: string) => (pass === REDACTED || /^\$\{[^}]+\}$/.test(pass) ? m : `${head}${REDACTED}@`));
}

/**
 * A password typed inside a URL in a Console form (`postgres://user:pass@host`) goes to the secrets
 * file like any other secret: the text keeps `${secret:NAME}` in its place (the loader resolves
 * references inside a text). NAME comes from the key path, e.g. `erp.connection` →
 * `ERP_CONNECTION_PASSWORD`. References, `${ENV}` and masked passwords are left as they are.
 */
export function moveUrlPasswordsToSecrets(value: unknown, path: string, secrets: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(URL_PASSWORD, (m, head: string, pass: string) => {
      if (pass === REDACTED || pass.includes('${')) return m;
      const name = `${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase()}_PASSWORD`;
      secrets.set(name, pass);
      return `${head}\${secret:${name}}@`;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => moveUrlPasswordsToSecrets(v, `${path}[${i}]`, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, moveUrlPasswordsToSecrets(v, `${path}.${k}`, secrets)]));
  }
  return value;
}

export class ConfigEditError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConfigEditError';
  }
}

/** sha256 of the file's text; '' for no file. */
export function configVersion(text: string | null): string {
  return text === null ? '' : createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `mapping.fields[2].attribute` → ['mapping', 'fields', 2, 'attribute']. */
export function parseKeyPath(path: string): KeyPath {
  const out: KeyPath = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(Number(m[2]));
    consumed += m[0].length;
  }
  const separators = (path.match(/\./g) ?? []).length;
  if (out.length === 0 || consumed + separators !== path.length) throw new ConfigEditError(path, 'not a key path (write it as pim.url or mapping.fields[0].attribute)');
  return out;
}

export function formatKeyPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function parse(text: string): Document {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw new ConfigEditError(`line ${first.linePos?.[0]?.line ?? '?'}`, `YAML syntax: ${first.message.split('\n')[0]}`);
  return doc;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}
/** The index just after the newline ending the line that holds `pos` (or the text's end). */
function lineEndAfter(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? text.length : nl + 1;
}
function columnOf(text: string, pos: number): number {
  return pos - lineStart(text, pos);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar as it may stand after `key: ` (or inside a flow collection, where , [ ] { } need quotes). */
function renderScalar(value: unknown, inFlow: boolean): string {
  if (typeof value === 'string' && (/[\n\r]/.test(value) || (inFlow && /[,[\]{}#]/.test(value)))) return JSON.stringify(value);
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

/** A collection as block YAML whose first line starts where the cursor is and the others at `indent`. */
function renderBlock(value: unknown, indent: number): string {
  const text = stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : `${' '.repeat(indent)}${line}`))
    .join('\n');
}

function pairOf(map: YAMLMap, key: string | number): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

function nest(rest: KeyPath, value: unknown): unknown {
  let v = value;
  for (let i = rest.length - 1; i >= 0; i--) {
    const k = rest[i]!;
    v = typeof k === 'number' ? [v] : { [k]: v };
  }
  return v;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** One set or remove, by splicing; null when the place is not one a splice can handle. */
function spliceEdit(text: string, path: KeyPath, value: unknown, remove: boolean): string | null {
  const doc = parse(text);
  // Walk down as far as the document goes.
  let node: unknown = doc.contents;
  let parent: unknown = null;
  let depth = 0;
  for (; depth < path.length; depth++) {
    const key = path[depth]!;
    if (isMap(node) && typeof key === 'string') {
      const pair = pairOf(node, key);
      if (!pair) break;
      parent = node;
      node = pair.value;
      if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
        // `key:` with nothing (or null) after it and more keys to go: give `key` the nested value.
        if (depth < path.length - 1) return remove ? text : spliceEdit(text, path.slice(0, depth + 1), nest(path.slice(depth + 1), value), false);
        depth++;
        break;
      }
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      parent = node;
      node = node.items[key];
    } else break;
  }

  if (remove) {
    if (depth < path.length) return text; // nothing there: removing is already done
    const last = path[path.length - 1]!;
    if (isMap(parent) && !parent.flow) {
      const pair = pairOf(parent, last)!;
      const keyNode = pair.key as Node;
      const end = (pair.value as Node | null)?.range?.[1] ?? keyNode.range![1];
      return splice(text, lineStart(text, keyNode.range![0]), lineEndAfter(text, Math.max(end - 1, keyNode.range![0])), '');
    }
    if (isSeq(parent) && !parent.flow) {
      const item = node as Node;
      return splice(text, lineStart(text, item.range![0]), lineEndAfter(text, Math.max(item.range![1] - 1, item.range![0])), '');
    }
    return null;
  }

  if (depth === path.length) {
    // The key exists: replace its value.
    const inFlow = (isMap(parent) || isSeq(parent)) && (parent as YAMLMap).flow === true;
    const existing = node as Node | null | undefined;
    if (existing === null || existing === undefined || !existing.range) {
      // `key:` with nothing after it: the value goes after the colon.
      const pair = isMap(parent) ? pairOf(parent, path[path.length - 1]!) : undefined;
      if (!pair || inFlow) return null;
      const keyNode = pair.key as Node;
      const colon = text.indexOf(':', keyNode.range![1]);
      const col = columnOf(text, keyNode.range![0]);
      const insert = isPlainObject(value) || Array.isArray(value) ? `\n${' '.repeat(col + 2)}${renderBlock(value, col + 2)}` : ` ${renderScalar(value, false)}`;
      return splice(text, colon + 1, colon + 1, insert);
    }
    if (!isPlainObject(value) && !Array.isArray(value)) return splice(text, existing.range[0], existing.range[1], renderScalar(value, inFlow));
    if ((isMap(existing) || isSeq(existing)) && !existing.flow && !inFlow && (existing as YAMLMap | YAMLSeq).items.length > 0) {
      return splice(text, existing.range[0], existing.range[1], renderBlock(value, columnOf(text, existing.range[0])));
    }
    if ((isMap(existing) || isSeq(existing)) && existing.flow) {
      return splice(text, existing.range[0], existing.range[1], stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).replace(/\n$/, ''));
    }
    if (isScalar(existing) && isMap(parent) && !inFlow) {
      const pair = pairOf(parent, path[path.length - 1]!)!;
      const keyNode = pair.key as Node;
      const colon = text.indexOf(':', keyNode.range![1]);
      const col = columnOf(text, keyNode.range![0]);
      return splice(text, colon + 1, existing.range[1], `\n${' '.repeat(col + 2)}${renderBlock(value, col + 2)}`);
    }
    return null;
  }

  // The key is missing from `node` (the deepest existing collection): add it at its end.
  const key = path[depth]!;
  const rest = nest(path.slice(depth + 1), value);
  if (node === null || node === undefined) {
    if (depth !== 0 || typeof key !== 'string') return null;
    // An empty file (or only comments): the key goes at the end.
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${sep}${renderBlock({ [key]: rest }, 0)}\n`;
  }
  if (isMap(node) && !node.flow && node.items.length > 0 && typeof key === 'string') {
    const first = node.items[0]!.key as Node;
    const lastPair = node.items[node.items.length - 1]!;
    const end = (lastPair.value as Node | null)?.range?.[1] ?? (lastPair.key as Node).range![1];
    const at = lineEndAfter(text, Math.max(end - 1, 0));
    const col = columnOf(text, first.range![0]);
    const lead = at === text.length && !text.endsWith('\n') ? '\n' : '';
    return splice(text, at, at, `${lead}${' '.repeat(col)}${renderBlock({ [key]: rest }, col)}\n`);
  }
  if (isSeq(node) && !node.flow && node.items.length > 0 && key === node.items.length) {
    const first = node.items[0] as Node;
    const lastItem = node.items[node.items.length - 1] as Node;
    const at = lineEndAfter(text, Math.max(lastItem.range![1] - 1, 0));
    const col = columnOf(text, lineStart(text, first.range![0]) + (text.slice(lineStart(text, first.range![0])).search(/-/) || 0));
    const lead = at === text.length && !text.endsWith('\n') ? '\n' : '';
    return splice(text, at, at, `${lead}${' '.repeat(col)}${renderBlock([rest], col)}\n`);
  }
  return null;
}

/** The Document API's way (re-spaces the file): for places a splice cannot reach. */
function documentEdit(text: string, path: KeyPath, value: unknown, remove: boolean): string {
  const doc = parse(text);
  try {
    if (remove) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  } catch (err) {
    throw new ConfigEditError(formatKeyPath(path), `cannot be written here (${(err as Error).message}); edit the file as text instead`);
  }
  return doc.toString();
}

function expand(text: string, edit: { path: KeyPath; value?: unknown; remove: boolean }): { path: KeyPath; value?: unknown; remove: boolean }[] {
  // An object over an existing map: key by key, so the map's comments and order survive.
  if (edit.remove || !isPlainObject(edit.value)) return [edit];
  const existing = parse(text).getIn(edit.path, true);
  if (!isMap(existing) || existing.flow) return [edit];
  const out: { path: KeyPath; value?: unknown; remove: boolean }[] = [];
  const wanted = edit.value;
  for (const pair of existing.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof k === 'string' && !(k in wanted)) out.push({ path: [...edit.path, k], remove: true });
  }
  for (const [k, v] of Object.entries(wanted)) out.push({ path: [...edit.path, k], value: v, remove: false });
  return out;
}

/** Applies each edit in order; the result is re-read to prove each key now holds what was asked. */
export function applyConfigEdits(text: string, edits: readonly ConfigEdit[]): string {
  let current = text;
  const queue: { path: KeyPath; value?: unknown; remove: boolean }[] = edits.map((e) => {
    if (e.remove !== true && e.value === undefined) throw new ConfigEditError(e.path, 'give a value, or remove: true');
    return { path: parseKeyPath(e.path), value: e.value, remove: e.remove === true };
  });
  while (queue.length > 0) {
    const edit = queue.shift()!;
    const parts = expand(current, edit);
    // Parts of a map go back in the queue one by one; a part that is itself a map expands again.
    if (parts.length !== 1 || parts[0] !== edit) queue.unshift(...parts);
    else current = applyOne(current, edit);
  }
  return current;
}

function holds(text: string, edit: { path: KeyPath; value?: unknown; remove: boolean }): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  if (edit.remove) return !doc.hasIn(edit.path);
  const got = doc.getIn(edit.path, true) as Node | undefined;
  const js = got && typeof got === 'object' && 'toJSON' in got ? (got as { toJSON(): unknown }).toJSON() : got;
  return JSON.stringify(js ?? null) === JSON.stringify(edit.value ?? null);
}

function applyOne(text: string, edit: { path: KeyPath; value?: unknown; remove: boolean }): string {
  const spliced = spliceEdit(text, edit.path, edit.value, edit.remove);
  if (spliced !== null && holds(spliced, edit)) return spliced;
  // A place the splice got wrong or could not reach: the Document API (may re-space the file).
  const rewritten = documentEdit(text, edit.path, edit.value, edit.remove);
  if (holds(rewritten, edit)) return rewritten;
  throw new ConfigEditError(formatKeyPath(edit.path), 'could not be written in this file; edit the file as text instead');
}

function isReference(value: string): boolean {
  return /^\s*\$\{[^}]+\}\s*$/.test(value);
}

/** Walks secret-key scalars holding a literal (not a `${…}` reference) value. */
function literalSecrets(doc: Document, each: (node: Node & { range: [number, number, number] }) => void): void {
  visit(doc, {
    Pair(_key, pair) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof k !== 'string' || !isConfigSecretKey(k) || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      if (isReference(pair.value.value) || !pair.value.range) return;
      each(pair.value as Node & { range: [number, number, number] });
    },
  });
}

/** The text with every literal secret value replaced by "********" (references stay: they are not secrets). */
export function redactConfigText(text: string): string {
  let doc: Document;
  try {
    doc = parse(text);
  } catch {
    // Unparseable: redact line by line on key names.
    return text.replace(/^(\s*(?:-\s+)?[A-Za-z_]+\s*:\s*)(.+)$/gm, (line, head: string, value: string) => {
      const key = head.replace(/[-:\s]/g, '');
      return isConfigSecretKey(key) && !isReference(value) ? `${head}"${REDACTED}"` : line;
    });
  }
  const ranges: [number, number][] = [];
  literalSecrets(doc, (node) => ranges.push([node.range[0], node.range[1]]));
  let out = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) out = splice(out, start, end, `"${REDACTED}"`);
  return maskUrlPasswords(out);
}

/** Data with literal secret values replaced (references kept). */
export function redactConfigData(value: unknown, key: string | null = null): unknown {
  if (typeof value === 'string') return key !== null && isConfigSecretKey(key) && !isReference(value) ? REDACTED : maskUrlPasswords(value);
  if (Array.isArray(value)) return value.map((v) => redactConfigData(v, key));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfigData(v, k)]));
  return value;
}

/**
 * A whole text sent back by the Console carries "********" where the file had a literal secret:
 * put the file's value back at the same key path. A mask with no value behind it is refused.
 */
export function unmaskConfigText(sent: string, current: string | null): string {
  const doc = parse(sent);
  const currentDoc = current === null ? null : parseDocument(current);
  const repl: { start: number; end: number; text: string }[] = [];
  let problem: ConfigEditError | null = null;
  visit(doc, {
    Scalar(_k, node, ancestors) {
      const masked = typeof node.value === 'string' && (node.value === REDACTED || node.value.includes(`:${REDACTED}@`));
      if (!masked || !node.range) return;
      const path: KeyPath = [];
      for (let i = 0; i < ancestors.length; i++) {
        const a = ancestors[i];
        if (isPair(a) && isScalar(a.key)) path.push(a.key.value as string);
        else if (isSeq(a)) {
          const child = ancestors[i + 1] ?? node;
          path.push(a.items.indexOf(child as never));
        }
      }
      const original = currentDoc?.getIn(path);
      // A URL whose password was masked: the file's URL, when only the password differs.
      if (node.value !== REDACTED) {
        if (typeof original === 'string' && maskUrlPasswords(original) === node.value) repl.push({ start: node.range[0], end: node.range[1], text: renderScalar(original, false) });
        else problem ??= new ConfigEditError(formatKeyPath(path), `the URL's password is masked; type it again (or use \${secret:NAME})`);
        return;
      }
      if (typeof original !== 'string') {
        problem ??= new ConfigEditError(formatKeyPath(path), `"${REDACTED}" stands for a secret the file does not hold; type the value (it goes to the secrets file)`);
        return;
      }
      repl.push({ start: node.range[0], end: node.range[1], text: renderScalar(original, false) });
    },
  });
  if (problem) throw problem;
  let out = sent;
  for (const r of repl.sort((a, b) => b.start - a.start)) out = splice(out, r.start, r.end, r.text);
  return out;
}
