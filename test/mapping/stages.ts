/** The mapper's stages built from a config and a PIM, with their real dependencies, to test one alone. */
import { CategoryMapper } from '../../src/mapping/categories.js';
import { CodeTable } from '../../src/mapping/codes.js';
import { mappingConfigSchema } from '../../src/mapping/config.js';
import { FieldPlanner } from '../../src/mapping/fields.js';
import { GroupMapper } from '../../src/mapping/group.js';
import { ItemPreparer } from '../../src/mapping/items.js';
import { FamilyLayouts } from '../../src/mapping/layout.js';
import { ModelValues } from '../../src/mapping/model-values.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import type { PimStructure } from '../../src/mapping/types.js';
import { demoPim } from './fixtures.js';

export function stages(config: unknown = { preset: 'demo' }, pim: PimStructure = demoPim()) {
  const mapping = resolveMapping(mappingConfigSchema.parse(config));
  const codes = new CodeTable(mapping.codes.normalise, mapping.codes.case);
  const fields = new FieldPlanner(mapping, pim, codes, undefined);
  const categories = new CategoryMapper(mapping, codes, fields.ctx);
  const items = new ItemPreparer(mapping, pim, codes, fields, categories);
  const layouts = new FamilyLayouts(mapping, pim, fields);
  const modelValues = new ModelValues(mapping, fields);
  const groups = new GroupMapper(mapping, codes, fields, items, layouts, categories, modelValues);
  return { mapping, pim, codes, fields, categories, items, layouts, modelValues, groups };
}
