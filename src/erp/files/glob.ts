/**
 * File-name globs (`items*.csv`, `export-{items,articles}-??.tsv`, `[!a]*.xml`), compiled
 * once, case-insensitive, by picomatch: `*`, `?`, classes (`[ab]`, negated `[!a]`/`[^a]`,
 * POSIX `[[:digit:]]`), braces and extglobs (`!(old)*.csv`).
 */
import picomatch from 'picomatch';

/**
 * Parentheses that do not open an extglob (`+(`, `@(`, `!(`, `*(`, `?(`) are literal: exports
 * are named `items (1).csv` far more often than anyone writes a regex group in a file name.
 */
function literalParens(glob: string): string {
  let out = '';
  const open: boolean[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '\\') {
      out += glob.slice(i, i + 2);
      i++;
    } else if (ch === '(') {
      const extglob = i > 0 && '!@+*?'.includes(glob[i - 1]!);
      open.push(extglob);
      out += extglob ? ch : '\\(';
    } else if (ch === ')') {
      out += open.pop() ? ch : '\\)';
    } else out += ch;
  }
  return out;
}

export function globToRegExp(glob: string): RegExp {
  // posix: `[!a]` is a negated class (without it picomatch reads `[!a]` as "! or a").
  return picomatch.makeRe(literalParens(glob), { nocase: true, posix: true, dot: true });
}
