/** Category writes: tree moves, labels, code rules. */
import type { Category } from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { documented, plain } from '../errors.js';
import { mergeLabels } from '../labels.js';
import { gettype } from '../php.js';
import { anchors, checkCode, checkCodeFree, finish, openDraft, unknownProperty } from './shared.js';

const anchorOf = anchors('post_categories', 'patch_categories__code_');

export function writeCategory(view: CatalogView, existing: Category | null, input: unknown, ctx: StructureWriteContext): Category {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, anchorOf);
  let parent: string | null = current?.parent ?? null;
  let labels = { ...(current?.labels ?? {}) } as Record<string, string>;
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
      case 'updated':
      case 'position':
        break;
      case 'parent': {
        if (raw === null || raw === '') {
          parent = null;
          break;
        }
        if (typeof raw !== 'string') {
          throw documented(`Property "parent" expects a scalar as data, "${gettype(raw)}" given.`, anchor);
        }
        const p = view.category(raw);
        if (!p) {
          throw documented(`Property "parent" expects a valid category code. The category does not exist, "${raw}" given.`, anchor);
        }
        if (current && current.parent === null && channelTree(view, current.code)) {
          throw documented("You can't move a category tree linked to a user.", anchor);
        }
        if (current && isSelfOrDescendant(view, p.code, current.code)) {
          // Gedmo's NestedTreeListener (Akeneo's category tree) refuses a parent inside the node's own
          // subtree, itself included, naming the node by its internal numeric id.
          throw plain(422, `Cannot set child as parent to node: ${internalId(current.code)}`);
        }
        parent = p.code;
        break;
      }
      case 'labels':
        labels = mergeLabels(view, 'labels', labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  checkCodeFree(code, current, errors, (c) => view.category(c));
  checkCode(code, errors, 'Category code may contain only letters, numbers and underscores', 100);
  finish(errors);
  return { code, parent, updated: ctx.now ?? current?.updated ?? new Date(0).toISOString(), labels };
}

function channelTree(view: CatalogView, code: string): boolean {
  return view.channels().some((c) => c.category_tree === code);
}

function isSelfOrDescendant(view: CatalogView, candidate: string, ancestor: string): boolean {
  let node: string | null = candidate;
  for (let depth = 0; node !== null && depth < 1000; depth++) {
    if (node === ancestor) return true;
    node = view.category(node)?.parent ?? null;
  }
  return false;
}

/**
 * A stand-in for Akeneo's internal category id (an auto-increment the API never exposes): a stable
 * positive number derived from the code (32-bit FNV-1a), so the message has Akeneo's shape.
 */
export function internalId(code: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    hash ^= code.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 2_147_483_646) + 1;
}
