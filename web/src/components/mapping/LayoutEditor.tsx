/**
 * The family variant layouts the mapping defines (`structure.families.definitions.<family>.variants`):
 * one or two levels, the axes of each (chips: only attributes Akeneo accepts as axes are offered)
 * and the attributes whose values live at that level; and a new family variant for a family. A
 * family variant the PIM already has keeps its axes in Akeneo: changing them here is shown as a
 * problem whose fix is a new code.
 */
import { Badge, Button, Chip, Group, MultiSelect, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { StructureEdit, VariantLayout } from '../../../../src/server/api/contract.js';

type Level = VariantLayout['levels'][number];

const SOURCE: Record<VariantLayout['source'], string> = { preset: 'preset', file: 'ferry.yaml', 'preset+file': 'preset + ferry.yaml' };
const axesText = (levels: readonly Level[]) => levels.map((l) => l.axes.join(' + ') || '?').join(' → ');

function LevelEditor({ layout, index, level, edit, onChange }: { layout: VariantLayout; index: number; level: Level; edit: StructureEdit; onChange: (level: Level) => void }) {
  const family = edit.families.find((f) => f.code === layout.family);
  // Akeneo takes axes among the family's attributes: once the family exists, only those are offered.
  const usable = edit.axisCandidates.filter((a) => a.unusable === null && (!family?.inPim || family.attributes.includes(a.code)));
  // An axis already chosen that is not offered stays visible, so the user can see and remove it.
  const offered = [...usable.map((a) => a.code), ...level.axes.filter((a) => !usable.some((u) => u.code === a))];
  const id = `${layout.code}-level-${index + 1}`;
  return (
    <Stack gap={6} data-testid={`level-${layout.code}-${index + 1}`}>
      <Text size="sm" fw={600} id={id}>
        Level {index + 1}: {index === 0 ? (layout.levels.length === 2 ? 'sub-models' : 'variants') : 'variants'} told apart by
      </Text>
      <Chip.Group multiple value={level.axes} onChange={(axes) => onChange({ ...level, axes })}>
        <Group gap={6} role="group" aria-labelledby={id}>
          {offered.map((code) => (
            <Chip key={code} value={code} size="xs" color={usable.some((u) => u.code === code) ? 'akeneo' : 'bad'}>
              {code}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <MultiSelect
        size="xs"
        label={`Level ${index + 1}: other attributes at this level`}
        description="Values that differ between the items of this level (e.g. ean, weight on the variants)."
        data={(family?.attributes ?? []).filter((a) => !level.axes.includes(a))}
        value={level.attributes}
        onChange={(attributes) => onChange({ ...level, attributes })}
        searchable
        clearable
      />
    </Stack>
  );
}

function LayoutCard({ layout, edit, onChange }: { layout: VariantLayout; edit: StructureEdit; onChange: (levels: Level[] | undefined) => void }) {
  const sorted = (levels: readonly Level[]) => levels.map((l) => [...l.axes].sort().join('+')).join('/');
  const changed = layout.pimLevels && sorted(layout.pimLevels) !== sorted(layout.levels);
  return (
    <Paper withBorder p="sm" data-testid={`layout-${layout.code}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={700}>{layout.code}</Text>
          <Text size="sm" c="dimmed">
            family {layout.family} · {axesText(layout.levels)}
          </Text>
        </Group>
        <Group gap="xs">
          <Badge variant="light">{SOURCE[layout.source]}</Badge>
          {layout.inPim ? <Badge color={changed ? 'bad' : 'ok'}>{changed ? `in the PIM as ${axesText(layout.pimLevels!)}` : 'in the PIM'}</Badge> : <Badge color="warn">Bootstrap creates it</Badge>}
        </Group>
      </Group>
      <Group gap="sm" mb="xs" align="center">
        <Text size="sm" id={`${layout.code}-levels`}>
          Levels
        </Text>
        <SegmentedControl
          size="xs"
          aria-labelledby={`${layout.code}-levels`}
          value={String(layout.levels.length)}
          onChange={(v) => onChange(v === '1' ? [{ axes: layout.levels.flatMap((l) => l.axes), attributes: layout.levels.flatMap((l) => l.attributes) }] : [layout.levels[0]!, { axes: [], attributes: [] }])}
          data={[
            { value: '1', label: '1: model → variants' },
            { value: '2', label: '2: model → sub-models → variants' },
          ]}
        />
        {layout.source !== 'preset' && (
          <Button size="compact-xs" variant="subtle" color="bad" onClick={() => onChange(undefined)}>
            {layout.source === 'file' ? 'Remove' : 'Back to the preset'}
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, md: layout.levels.length }} spacing="md">
        {layout.levels.map((level, i) => (
          <LevelEditor key={i} layout={layout} index={i} level={level} edit={edit} onChange={(l) => onChange(layout.levels.map((x, j) => (j === i ? l : x)))} />
        ))}
      </SimpleGrid>
    </Paper>
  );
}

function NewLayout({ edit, onAdd }: { edit: StructureEdit; onAdd: (family: string, code: string, levels: Level[]) => void }) {
  const [family, setFamily] = useState<string | null>(edit.families[0]?.code ?? null);
  const [code, setCode] = useState('');
  const taken = edit.layouts.some((l) => l.code === code);
  const valid = /^[A-Za-z0-9_]+$/.test(code) && !taken;
  return (
    <Group align="flex-end" gap="sm">
      <Select label="New family variant of family" data={edit.families.map((f) => f.code)} value={family} onChange={setFamily} w={220} />
      <TextInput label="Its code" description="letters, digits, _" value={code} onChange={(e) => setCode(e.currentTarget.value.trim())} error={taken ? 'this code is taken' : undefined} w={260} />
      <Button
        variant="default"
        disabled={!family || !valid}
        onClick={() => {
          // Starts from the family's first layout: usually one axis changes, not all of them.
          const from = edit.layouts.find((l) => l.family === family);
          onAdd(family!, code, from ? from.levels.map((l) => ({ axes: [...l.axes], attributes: [...l.attributes] })) : [{ axes: [], attributes: [] }]);
          setCode('');
        }}
      >
        Add family variant
      </Button>
    </Group>
  );
}

export function LayoutEditor({ edit, onLayout }: { edit: StructureEdit; onLayout: (family: string, code: string, levels: Level[] | undefined) => void }) {
  const unusable = edit.axisCandidates.filter((a) => a.unusable !== null);
  return (
    <Stack gap="sm">
      <Title order={4} size="h5">
        Family variants: levels and axes
      </Title>
      {edit.layouts.map((layout) => (
        <LayoutCard key={layout.code} layout={layout} edit={edit} onChange={(levels) => onLayout(layout.family, layout.code, levels)} />
      ))}
      {edit.families.length > 0 && <NewLayout edit={edit} onAdd={onLayout} />}
      {unusable.length > 0 && (
        <Text size="xs" c="dimmed">
          Not offered as axes (Akeneo takes simple/multi selects, booleans and metrics that are neither localizable nor scopable): {unusable.slice(0, 30).map((a) => `${a.code} (${a.unusable})`).join(', ')}
          {unusable.length > 30 ? ', …' : ''}
        </Text>
      )}
    </Stack>
  );
}
