/** The mapping layer: ERP records → Akeneo payloads (pure), plus the structure it checks and bootstraps against. */
export { createMapper, type CreateMapperOptions } from './mapper.js';
export { loadPimStructure, buildPimStructure, supportsReadOnly, type PimStructureParts, type LoadPimStructureOptions } from './pim-structure.js';
export { mappingConfigSchema, looksHot, type MappingConfig, type AttributeMappingConfig } from './config.js';
export { resolveMapping, DEFAULT_BLOCK_RECORD, type ResolvedMapping, type ResolvedAttribute } from './resolve.js';
export { PRESETS } from './presets.js';
export * from './types.js';
export { planMediaUploads, contentHash, mediaFilename, type MediaPlan, type MediaUploadGroup } from './media.js';
export { planBootstrap, applyBootstrap, describePlan, isEmptyPlan, type BootstrapPlan, type BootstrapResult } from './bootstrap.js';
export { checkMapping, checkRecords, type CheckProblem, type RecordsCheck } from './check.js';
