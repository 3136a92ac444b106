/** Small index helpers the store's modules share: case folding and key → set-of-members maps. */
import { CodeMap } from '../code-map.js';

export const lower = (s: string): string => s.toLowerCase();

export function addToIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(member);
}

export function removeFromIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) index.delete(key);
}

/** The per-parent code map (options of an attribute, records of an entity, assets of a family), created on first write. */
export function childMap<T>(maps: Map<string, CodeMap<T>>, parentKey: string): CodeMap<T> {
  let map = maps.get(parentKey);
  if (!map) {
    map = new CodeMap();
    maps.set(parentKey, map);
  }
  return map;
}
