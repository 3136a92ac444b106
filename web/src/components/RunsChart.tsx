/** The last runs of a connection as a picture: created / updated / refused bars, duration as a line. */
import { CompositeChart } from '@mantine/charts';
import { Text } from '@mantine/core';
import { formatDateTime } from '../format';

export interface ChartRun {
  id: number;
  startedAt: string;
  created: number;
  updated: number;
  rejected: number;
  durationMs: number | null;
}

export function RunsChart({ runs, title }: { runs: readonly ChartRun[]; title: string }) {
  if (runs.length === 0) return <Text c="dimmed">No runs yet: the chart appears after the first run.</Text>;
  const data = [...runs]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .map((r) => ({
      run: `#${r.id}`,
      when: formatDateTime(r.startedAt),
      Created: r.created,
      Updated: r.updated,
      Refused: r.rejected,
      'Duration (s)': r.durationMs === null ? 0 : Math.round(r.durationMs / 100) / 10,
    }));
  return (
    <figure style={{ margin: 0 }} aria-label={title}>
      <CompositeChart
        h={220}
        data={data}
        dataKey="run"
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 40 }}
        maxBarWidth={18}
        withRightYAxis
        rightYAxisLabel="seconds"
        yAxisLabel="records"
        series={[
          { name: 'Created', color: 'green.8', type: 'bar' },
          { name: 'Updated', color: 'akeneo.6', type: 'bar' },
          { name: 'Refused', color: 'red.8', type: 'bar' },
          { name: 'Duration (s)', color: 'dark.6', type: 'line', yAxisId: 'right' },
        ]}
        curveType="linear"
      />
      <figcaption>
        <Text size="xs" c="dimmed">
          {title}: records created, updated and refused per run (bars) and how long each run took (line).
        </Text>
      </figcaption>
    </figure>
  );
}
