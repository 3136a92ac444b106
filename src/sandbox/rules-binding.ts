/**
 * The one place the routes get their rules from. Points at the fallback until the rules
 * helper's src/sandbox/rules/index.ts exists; then this re-exports theirs.
 */
import type { SandboxRules } from './rules/contract.js';
import { fallbackRules } from './rules-fallback.js';

export const rules: SandboxRules = fallbackRules;
