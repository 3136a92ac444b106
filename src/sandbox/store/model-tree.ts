/**
 * The sandbox's product models: a code map plus the parent → children index and the sorted
 * list the /product-models list pages through. Deleting a whole subtree (sub-models and
 * variant products) is the store's job, since it reaches into the products too.
 */
import type { ProductModel } from '../../akeneo/model.js';
import { CodeMap } from '../code-map.js';
import { addToIndex, lower, removeFromIndex } from './indexes.js';

export class ModelTree {
  readonly models = new CodeMap<ProductModel>();
  private readonly modelsByParent = new Map<string, Set<string>>();
  private sortedModels: ProductModel[] | undefined;

  put(m: ProductModel): void {
    const old = this.models.get(m.code);
    if (old?.parent && lower(old.parent) !== lower(m.parent ?? '')) {
      removeFromIndex(this.modelsByParent, lower(old.parent), lower(old.code));
    }
    if (old !== m) this.sortedModels = undefined;
    if (m.parent) addToIndex(this.modelsByParent, lower(m.parent), lower(m.code));
    this.models.set(m.code, m);
  }

  /** Removes one product model (not its children); `old` is what is stored under `code`. */
  remove(code: string, old: ProductModel): void {
    this.models.delete(code);
    if (old.parent) removeFromIndex(this.modelsByParent, lower(old.parent), lower(old.code));
    this.sortedModels = undefined;
  }

  /** Direct children (sub product models) of a product model. */
  children(code: string): readonly ProductModel[] {
    const set = this.modelsByParent.get(lower(code));
    if (!set) return [];
    const out: ProductModel[] = [];
    for (const c of set) {
      const m = this.models.get(c);
      if (m) out.push(m);
    }
    return out;
  }

  sorted(): readonly ProductModel[] {
    this.sortedModels ??= this.models.values().sort((a, b) => (lower(a.code) < lower(b.code) ? -1 : lower(a.code) > lower(b.code) ? 1 : 0));
    return this.sortedModels;
  }

  /** The chain of ancestors of a product or product model, nearest first. */
  ancestors(parent: string | null | undefined): ProductModel[] {
    const out: ProductModel[] = [];
    let code = parent;
    while (code) {
      const m = this.models.get(code);
      if (!m || out.includes(m)) break;
      out.push(m);
      code = m.parent ?? null;
    }
    return out;
  }

  clear(): void {
    this.models.clear();
    this.modelsByParent.clear();
    this.sortedModels = undefined;
  }
}
