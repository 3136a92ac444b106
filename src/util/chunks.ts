/**
 * `list` cut into consecutive slices of at most `size` (IN lists, lookup and write batches).
 * src/util holds helpers with no knowledge of Ferry: any layer may import them, they import nothing of src/.
 */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
