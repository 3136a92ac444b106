/** The category tree derived from the flat category map: tree order, sibling positions, subtrees. */
import type { Category } from '../../akeneo/model.js';
import type { CodeMap } from '../code-map.js';
import { lower } from './indexes.js';

export interface CategoryOrder {
  order: Category[];
  position: Map<string, number>;
}

export class CategoryTree {
  private orderCache: CategoryOrder | undefined;

  constructor(private readonly categories: CodeMap<Category>) {}

  /** Call after any change to the categories. */
  invalidate(): void {
    this.orderCache = undefined;
  }

  /** Categories in tree (nested-set) order, and each one's 1-based position among its siblings. */
  order(): CategoryOrder {
    if (!this.orderCache) {
      const children = new Map<string, Category[]>();
      const roots: Category[] = [];
      for (const c of this.categories) {
        if (c.parent && this.categories.has(c.parent)) {
          const k = lower(c.parent);
          const list = children.get(k) ?? [];
          list.push(c);
          children.set(k, list);
        } else roots.push(c);
      }
      const order: Category[] = [];
      const position = new Map<string, number>();
      const walk = (list: Category[]): void => {
        list.forEach((c, i) => {
          position.set(lower(c.code), i + 1);
          order.push(c);
          walk(children.get(lower(c.code)) ?? []);
        });
      };
      walk(roots);
      this.orderCache = { order, position };
    }
    return this.orderCache;
  }

  /** A category and all its descendants (lower-case codes). */
  subtree(code: string): Set<string> {
    const out = new Set<string>([lower(code)]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of this.categories) {
        if (c.parent && out.has(lower(c.parent)) && !out.has(lower(c.code))) {
          out.add(lower(c.code));
          grew = true;
        }
      }
    }
    return out;
  }
}
