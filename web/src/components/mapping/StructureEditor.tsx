/**
 * The structure part of the mapping: how ERP categories become categories, families or product
 * models; which family items go to; the variant rule (group key, family variant, axes, levels,
 * single-item groups); and one ERP group of the preview drawn as its product model and variants.
 */
import { Badge, List, Paper, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { MappingPreview, StructureEdit, StructureView } from '../../../../src/server/api/contract.js';
import type { Draft } from '../../api/mapping';
import { pairsToText, textToPairs } from './draft-edit';
import { LayoutEditor } from './LayoutEditor';
import { DraftText } from './RowEditor';

type Part = 'categories' | 'families' | 'variants';
type Level = StructureEdit['layouts'][number]['levels'][number];
const asPairs = { toText: pairsToText, fromText: (t: string) => textToPairs(t) };

function GroupTree({ preview, structure, chosen, onChoose }: { preview: MappingPreview | undefined; structure: StructureView; chosen: string | null; onChoose: (key: string) => void }) {
  const groups = preview?.units.filter((u) => u.kind === 'group') ?? [];
  // The group the user picked stays while the draft changes, so its new shape shows in place.
  const unit = groups.find((u) => u.key === chosen) ?? groups.find((u) => u.entities.some((e) => e.role === 'root model')) ?? groups[0];
  useEffect(() => {
    if (unit && chosen === null) onChoose(unit.key);
  }, [unit, chosen, onChoose]);
  if (!unit) return <Text size="sm" c="dimmed">No group among the sample records: pick SKUs of a group (Attributes tab) to see it here.</Text>;
  const picker = groups.length > 1 && (
    <Select size="xs" maw={320} label="Group previewed" data={groups.map((g) => g.key)} value={unit.key} onChange={(v) => v && onChoose(v)} allowDeselect={false} />
  );
  if (!unit.entities.some((e) => e.role === 'root model')) {
    return (
      <Stack gap={4} data-testid="group-tree">
        {picker}
        <Text size="sm">
          ERP group <strong>{unit.key}</strong> does not become a product model with this draft:
        </Text>
        <List size="sm" withPadding>
          {unit.errors.map((e, i) => (
            <List.Item key={i}>
              {e.record}: {e.message}. <strong>Fix:</strong> {e.fix}
            </List.Item>
          ))}
        </List>
      </Stack>
    );
  }
  const root = unit.entities.find((e) => e.role === 'root model')!;
  const fv = structure.familyVariants.find((f) => f.code === root.familyVariant);
  const axesOf = (level: number) => fv?.levels.find((l) => l.level === level)?.axes ?? [];
  const axisText = (code: string, level: number) => {
    const e = unit.entities.find((x) => x.code === code)!;
    return axesOf(level).map((a) => `${a} ${e.values.find((v) => v.attribute === a)?.text ?? '?'}`).join(', ');
  };
  const subModels = unit.entities.filter((e) => e.role === 'sub-model');
  const variantsOf = (parent: string) => unit.entities.filter((e) => e.role === 'variant' && e.parent === parent);
  return (
    <Stack gap={4} data-testid="group-tree">
      {picker}
      {preview?.asIfBootstrapped.includes(root.familyVariant ?? '') && (
        <Badge color="warn" variant="light">
          family variant {root.familyVariant} is not in the PIM yet: previewed as Bootstrap would create it
        </Badge>
      )}
      <Text size="sm">
        ERP group <strong>{unit.key}</strong> becomes product model <strong>{root.code}</strong> (family {root.family}, family variant {root.familyVariant ?? '—'}{fv ? `: ${fv.levels.map((l) => `level ${l.level} by ${l.axes.join(' + ')}`).join(', ')}` : ''})
      </Text>
      <List size="sm" withPadding>
        {subModels.map((s) => (
          <List.Item key={s.code}>
            sub-model {s.code} — {axisText(s.code, 1)}
            <List size="sm" withPadding>
              {variantsOf(s.code).map((v) => (
                <List.Item key={v.code}>
                  variant {v.code} — {axisText(v.code, 2)}
                </List.Item>
              ))}
            </List>
          </List.Item>
        ))}
        {variantsOf(root.code).map((v) => (
          <List.Item key={v.code}>
            variant {v.code} — {axisText(v.code, 1)}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

type OwnDefinitions = Record<string, { variants?: Record<string, { levels?: Level[] }> }> | undefined;

/**
 * The layouts as the draft has them: the server's (preset under file) with the draft's own levels
 * on top, and the draft's new ones. A draft the schema refuses (a level without axes, while the
 * user is choosing them) gets the saved table from the server; the form still shows what was typed.
 */
function draftLayouts(edit: StructureEdit, definitions: unknown): StructureEdit['layouts'] {
  const defs = definitions as OwnDefinitions;
  const ownLevels = (family: string, code: string) => defs?.[family]?.variants?.[code]?.levels;
  const out = edit.layouts.map((l) => {
    const levels = ownLevels(l.family, l.code);
    return levels ? { ...l, levels, source: l.source === 'preset' ? ('preset+file' as const) : l.source } : l;
  });
  for (const [family, def] of Object.entries(defs ?? {})) {
    for (const [code, fv] of Object.entries(def.variants ?? {})) {
      if (fv.levels && !out.some((l) => l.code === code)) {
        out.push({ family, code, path: `mapping.structure.families.definitions.${family}.variants.${code}`, source: 'file', inPim: false, levels: fv.levels, pimLevels: null });
      }
    }
  }
  return out;
}

/**
 * The structure form. Inputs show the draft's own values (what ferry.yaml would hold, so an edit the
 * server refuses stays on screen with its problem) over the effective ones as placeholders.
 */
export function StructureEditor({ structure, edit, draft, preview, help, onChange, onLayout }: {
  structure: StructureView;
  edit: StructureEdit;
  draft: Draft;
  preview: MappingPreview | undefined;
  help: Record<string, string>;
  onChange: (part: Part, key: string, value: unknown) => void;
  onLayout: (family: string, code: string, levels: Level[] | undefined) => void;
}) {
  const [group, setGroup] = useState<string | null>(null);
  const own = (draft.structure ?? {}) as Partial<Record<Part, Record<string, unknown>>>;
  const layouts = draftLayouts(edit, own.families?.definitions);
  const ownOf = (part: Part, key: string) => own[part]?.[key];
  const text = (part: Part, key: string, label: string, effective: string | null, description?: string) => (
    <TextInput label={label} description={description ?? help[`mapping.structure.${part}.${key}`]} value={typeof ownOf(part, key) === 'string' ? (ownOf(part, key) as string) : ''} placeholder={effective ?? ''} onChange={(e) => onChange(part, key, e.currentTarget.value || undefined)} />
  );
  const pairs = (part: Part, key: string, label: string, effective: Record<string, string>) => (
    <DraftText label={label} description={help[`mapping.structure.${part}.${key}`]} value={ownOf(part, key)} placeholder={pairsToText(effective) || 'ERP value = family code'} {...asPairs} onChange={(v) => onChange(part, key, v)} multiline />
  );
  const families = [...new Set(structure.familyVariants.map((f) => f.family))];
  return (
    <Stack gap="md">
      <Paper>
        <Title order={3} size="h4" mb="sm">
          Categories and families
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Select
            label="ERP categories become"
            description={help['mapping.structure.categories.mode']}
            value={structure.categories.mode}
            onChange={(v) => onChange('categories', 'mode', v ?? undefined)}
            data={[
              { value: 'tree', label: 'Akeneo categories (a tree)' },
              { value: 'families', label: 'families' },
              { value: 'models', label: 'product models' },
              { value: 'ignore', label: 'nothing (ignored)' },
            ]}
          />
          {text('categories', 'root', 'Under the category', structure.categories.root, 'created by Bootstrap when missing')}
          {text('categories', 'prefix', 'Category code prefix', structure.categories.prefix || 'none')}
          {text('categories', 'labelField', 'ERP category field holding the label', structure.categories.labelField)}
          {text('families', 'default', 'Family of items no rule places', structure.families.default)}
          {text('families', 'field', 'ERP field holding the family', structure.families.field)}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mt="sm">
          {structure.families.field && pairs('families', 'map', 'ERP value of that field → family', structure.families.map)}
          {structure.categories.mode === 'families' && pairs('categories', 'families', 'ERP category → family', structure.categories.families)}
        </SimpleGrid>
      </Paper>
      <Paper>
        <Title order={3} size="h4" mb="sm">
          Variants: how items become product models
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Select
            label="Group items by (the group key)"
            description={help['mapping.structure.variants.groupBy']}
            value={structure.variants.groupBy}
            onChange={(v) => onChange('variants', 'groupBy', v ?? undefined)}
            data={[
              { value: 'group', label: 'the ERP group / template' },
              { value: 'field', label: 'an ERP field' },
              { value: 'sku', label: 'a SKU pattern' },
              { value: 'category', label: 'their category' },
              { value: 'none', label: 'nothing: all simple products' },
            ]}
          />
          {structure.variants.groupBy === 'field' && text('variants', 'field', 'Group key field', structure.variants.field)}
          {structure.variants.groupBy === 'sku' && text('variants', 'skuPattern', 'SKU pattern', structure.variants.skuPattern, 'first capture group is the model key')}
          {text('variants', 'modelPrefix', 'Product model code prefix', structure.variants.modelPrefix || 'none')}
          <Switch
            mt="lg"
            label="A group with one item stays a simple product"
            checked={structure.variants.singleGroupAsSimpleProduct}
            onChange={(e) => onChange('variants', 'singleGroupAsSimpleProduct', e.currentTarget.checked)}
          />
        </SimpleGrid>
        {families.map((family) => (
          <Select
            key={family}
            mt="sm"
            maw={420}
            label={`Family variant for family ${family}`}
            description={help['mapping.structure.variants.familyVariant']}
            value={structure.variants.familyVariant[family] ?? 'auto'}
            onChange={(v) => onChange('variants', 'familyVariant', { ...((ownOf('variants', 'familyVariant') as Record<string, string> | undefined) ?? {}), [family]: v ?? 'auto' })}
            data={[{ value: 'auto', label: 'auto: the fewest axes that tell the items apart' }, ...structure.familyVariants.filter((f) => f.family === family).map((f) => ({ value: f.code, label: f.code }))]}
          />
        ))}
      </Paper>
      <Paper>
        <Title order={3} size="h4" mb="sm">
          One group, previewed
        </Title>
        <GroupTree preview={preview} structure={structure} chosen={group} onChoose={setGroup} />
      </Paper>
      <Paper>
        <LayoutEditor edit={{ ...edit, layouts }} onLayout={onLayout} />
      </Paper>
    </Stack>
  );
}


