/**
 * The structure part of the mapping: how ERP categories become categories, families or product
 * models; which family items go to; the variant rule (group key, family variant, axes, levels,
 * single-item groups); and one ERP group of the preview drawn as its product model and variants.
 */
import { Badge, List, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import type { MappingPreview, StructureView } from '../../../../src/server/api/contract.js';

type Part = 'categories' | 'families' | 'variants';

function GroupTree({ preview, structure }: { preview: MappingPreview | undefined; structure: StructureView }) {
  const unit = preview?.units.find((u) => u.kind === 'group' && u.entities.some((e) => e.role === 'root model'));
  if (!unit) return <Text size="sm" c="dimmed">No group among the sample records: pick SKUs of a group (Attributes tab) to see it here.</Text>;
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

export function StructureEditor({ structure, preview, onChange }: { structure: StructureView; preview: MappingPreview | undefined; onChange: (part: Part, key: string, value: unknown) => void }) {
  const own = structure.own as Partial<Record<Part, Record<string, unknown>>>;
  const ownOf = (part: Part, key: string) => own[part]?.[key];
  const text = (part: Part, key: string, label: string, effective: string | null, description?: string) => (
    <TextInput label={label} description={description} value={typeof ownOf(part, key) === 'string' ? (ownOf(part, key) as string) : ''} placeholder={effective ?? ''} onChange={(e) => onChange(part, key, e.currentTarget.value || undefined)} />
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
          {text('families', 'default', 'Family of items no rule places', structure.families.default)}
          {text('families', 'field', 'ERP field holding the family', structure.families.field)}
        </SimpleGrid>
      </Paper>
      <Paper>
        <Title order={3} size="h4" mb="sm">
          Variants: how items become product models
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Select
            label="Group items by"
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
            value={structure.variants.familyVariant[family] ?? 'auto'}
            onChange={(v) => onChange('variants', 'familyVariant', { ...((ownOf('variants', 'familyVariant') as Record<string, string> | undefined) ?? {}), [family]: v ?? 'auto' })}
            data={[{ value: 'auto', label: 'auto: the fewest axes that tell the items apart' }, ...structure.familyVariants.filter((f) => f.family === family).map((f) => ({ value: f.code, label: f.code }))]}
          />
        ))}
        <Table.ScrollContainer minWidth={560} mt="sm">
          <Table verticalSpacing={4} fz="sm">
            <Table.Caption>Family variants (levels and axes)</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Family variant</Table.Th>
                <Table.Th scope="col">Family</Table.Th>
                <Table.Th scope="col">Levels</Table.Th>
                <Table.Th scope="col">In the PIM</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {structure.familyVariants.map((f) => (
                <Table.Tr key={f.code}>
                  <Table.Td>{f.code}</Table.Td>
                  <Table.Td>{f.family}</Table.Td>
                  <Table.Td>{f.levels.map((l) => `level ${l.level}: by ${l.axes.join(' + ')}${l.attributes.length ? ` (with ${l.attributes.join(', ')})` : ''}`).join(' → ')}</Table.Td>
                  <Table.Td>{f.inPim ? <Badge color="ok">yes</Badge> : <Badge color="warn">Bootstrap creates it</Badge>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Paper>
        <Title order={3} size="h4" mb="sm">
          One group, previewed
        </Title>
        <GroupTree preview={preview} structure={structure} />
      </Paper>
    </Stack>
  );
}


