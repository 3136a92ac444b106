/**
 * A unified diff of two texts, line by line (longest common subsequence), for showing what a
 * config save changes. Texts are config files (hundreds of lines), so the O(n·m) table is fine;
 * past MAX_CELLS it falls back to "everything removed, everything added".
 */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function lcsOps(a: string[], b: string[]): Op[] {
  // Common head and tail first: a config edit touches a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const middle: Op[] = [];
  if (am.length * bm.length > MAX_CELLS) {
    for (const line of am) middle.push({ kind: '-', line });
    for (const line of bm) middle.push({ kind: '+', line });
  } else {
    const n = am.length;
    const m = bm.length;
    const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) table[i]![j] = am[i] === bm[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (am[i] === bm[j]) {
        middle.push({ kind: ' ', line: am[i]! });
        i++;
        j++;
      } else if (table[i + 1]![j]! >= table[i]![j + 1]!) middle.push({ kind: '-', line: am[i++]! });
      else middle.push({ kind: '+', line: bm[j++]! });
    }
    while (i < n) middle.push({ kind: '-', line: am[i++]! });
    while (j < m) middle.push({ kind: '+', line: bm[j++]! });
  }
  return [...a.slice(0, head).map((line): Op => ({ kind: ' ', line })), ...middle, ...a.slice(a.length - tail).map((line): Op => ({ kind: ' ', line }))];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `--- a` / `+++ b` and `@@ -l,n +l,n @@` hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(before: string, after: string, names: { before: string; after: string } = { before: 'before', after: 'after' }, context = 3): string {
  if (before === after) return '';
  const ops = lcsOps(splitLines(before), splitLines(after));
  const changed = ops.map((o) => o.kind !== ' ');
  const out: string[] = [`--- ${names.before}`, `+++ ${names.after}`];
  let k = 0;
  while (k < ops.length) {
    if (!changed[k]) {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2·context lines.
    for (;;) {
      while (end < ops.length && changed[end]) end++;
      let next = end;
      while (next < ops.length && !changed[next]) next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    end = Math.min(ops.length, end + context);
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x]!.kind !== '+') aLine++;
      if (ops[x]!.kind !== '-') bLine++;
    }
    const slice = ops.slice(start, end);
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}

/** Lines added and removed in a unified diff (its headers not counted). */
export function diffStat(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}
