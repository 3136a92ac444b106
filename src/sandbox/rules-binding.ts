/**
 * The one place the routes get their rules from (src/sandbox/rules, owned by the rules module).
 */
import type { SandboxRules } from './rules/contract.js';
import { applyProductModelWrite, applyProductWrite, applyStructureWrite } from './rules/index.js';

export const rules: SandboxRules = { applyProductWrite, applyProductModelWrite, applyStructureWrite };
