/** The mapping layer: ERP records → Akeneo payloads (pure), plus the structure it checks and bootstraps against. */
export { createMapper } from './mapper.js';
export { loadPimStructure, buildPimStructure, structureParts, type PimStructureParts } from './pim-structure.js';
export { mappingConfigSchema } from './config.js';
export { resolveMapping } from './resolve.js';
export * from './types.js';
export { planBootstrap, applyBootstrap, describePlan, describeFailure, axisProblems, isEmptyPlan } from './bootstrap.js';
export { AxisSampler, distinguishes, inferAxes, type GroupSample } from './axes.js';
export { checkMapping, checkRecords, type CheckProblem } from './check.js';
