/**
 * A draft `mapping:` section from the Console, validated with the mapping's own zod schema. Every
 * problem names its key path in ferry.yaml and a fix (the key's help text from the schema), so
 * the editor can point at the row and the field before anything is saved.
 */
import { z } from 'zod';
import { attributeMappingSchema, mappingConfigSchema, type MappingConfig } from '../../mapping/config.js';
import type { DraftProblem } from '../api/contract.js';
import { helpAt } from './settings-view.js';

type Shape = Record<string, z.ZodType>;

function describeKey(shape: Shape, key: string): string | undefined {
  const s = shape[key] as (z.ZodType & { unwrap?: () => z.ZodType }) | undefined;
  if (!s) return undefined;
  return s.description ?? (typeof s.unwrap === 'function' ? s.unwrap().description : undefined);
}

function pathText(path: readonly PropertyKey[]): string {
  return ['mapping', ...path].map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

const ATTRIBUTE_KEYS = Object.keys(attributeMappingSchema.shape).join(', ');

function problemFor(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], shape: Shape | null): DraftProblem {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return { path: pathText(path), message: `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`, fix: `Remove ${issue.keys.join(', ')}${shape === attributeMappingSchema.shape ? `; an attribute accepts ${ATTRIBUTE_KEYS}` : ''}.` };
  }
  const key = issue.path[0];
  const own = shape && typeof key === 'string' ? describeKey(shape, key) : undefined;
  // Outside an attribute entry the deepest described key says more (a level's axes, not `structure`).
  const help = shape === attributeMappingSchema.shape ? own : (helpAt(pathText(path)) ?? own);
  return { path: pathText(path), message: issue.message, fix: help ? `Correct ${pathText(path)}: ${help}` : `Correct ${pathText(path)} (see docs/mapping.md).` };
}

/** The draft as a MappingConfig, or the problems that stop it (nothing is mapped then). */
export function validateDraft(raw: unknown): { mapping: MappingConfig | null; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  // An attribute entry is a union (object, shorthand, false, null): checked alone, its issues keep their key.
  const attributes = (raw as { attributes?: unknown } | null)?.attributes;
  const checked = new Set<string>();
  if (attributes && typeof attributes === 'object' && !Array.isArray(attributes)) {
    for (const [code, entry] of Object.entries(attributes)) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
      const r = attributeMappingSchema.safeParse(entry);
      if (!r.success) {
        checked.add(code);
        for (const issue of r.error.issues) problems.push(problemFor(issue, ['attributes', code], attributeMappingSchema.shape as Shape));
      }
    }
  }
  const result = mappingConfigSchema.safeParse(raw ?? {});
  if (result.success) return { mapping: result.data, problems };
  for (const issue of result.error.issues) {
    if (issue.path[0] === 'attributes' && typeof issue.path[1] === 'string' && checked.has(issue.path[1])) continue;
    problems.push(problemFor(issue, [], mappingConfigSchema.shape as unknown as Shape));
  }
  return { mapping: null, problems };
}
