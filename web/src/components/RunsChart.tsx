/**
 * The last runs of a connection as a picture: created / updated / refused as stacked bars, the
 * duration as a line on its own axis. Chart.js (MIT, tree-shaken to the pieces used) keeps the
 * Console's JavaScript small; the canvas carries a text summary for screen readers.
 */
import { Text } from '@mantine/core';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import { formatCount, formatDateTime, formatDuration } from '../format';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface ChartRun {
  id: number;
  startedAt: string;
  created: number;
  updated: number;
  rejected: number;
  durationMs: number | null;
}

const COLORS = { created: '#2f9e44', updated: '#9452ba', rejected: '#d4604f', duration: '#11324d' };

/** One sentence for screen readers: the runs shown and their totals. */
export function chartSummary(runs: readonly ChartRun[]): string {
  const sum = (k: 'created' | 'updated' | 'rejected') => runs.reduce((s, r) => s + r[k], 0);
  const longest = runs.reduce<ChartRun | null>((a, r) => (r.durationMs !== null && (a === null || r.durationMs > (a.durationMs ?? 0)) ? r : a), null);
  return `${runs.length} runs: ${formatCount(sum('created'))} records created, ${formatCount(sum('updated'))} updated, ${formatCount(sum('rejected'))} refused in all${
    longest ? `; the longest, run #${longest.id}, took ${formatDuration(longest.durationMs)}` : ''
  }.`;
}

export function RunsChart({ runs, title }: { runs: readonly ChartRun[]; title: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || runs.length === 0) return;
    const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: sorted.map((r) => `#${r.id}`),
        datasets: [
          { type: 'bar', label: 'Created', data: sorted.map((r) => r.created), backgroundColor: COLORS.created, stack: 'records', yAxisID: 'records', maxBarThickness: 18 },
          { type: 'bar', label: 'Updated', data: sorted.map((r) => r.updated), backgroundColor: COLORS.updated, stack: 'records', yAxisID: 'records', maxBarThickness: 18 },
          { type: 'bar', label: 'Refused', data: sorted.map((r) => r.rejected), backgroundColor: COLORS.rejected, stack: 'records', yAxisID: 'records', maxBarThickness: 18 },
          {
            type: 'line',
            label: 'Duration (seconds)',
            data: sorted.map((r) => (r.durationMs === null ? null : Math.round(r.durationMs / 100) / 10)),
            borderColor: COLORS.duration,
            backgroundColor: COLORS.duration,
            yAxisID: 'seconds',
            tension: 0,
            pointRadius: 3,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        font: { family: 'Lato, "Helvetica Neue", Arial, sans-serif' },
        plugins: {
          legend: { position: 'bottom', labels: { color: '#11324d', font: { family: 'Lato, sans-serif', size: 13 } } },
          tooltip: { callbacks: { title: (items) => { const r = sorted[items[0]?.dataIndex ?? 0]; return r ? `Run #${r.id}, ${formatDateTime(r.startedAt)}` : ''; } } },
        },
        scales: {
          x: { stacked: true, ticks: { color: '#5e6b7e' }, grid: { display: false } },
          records: { type: 'linear', position: 'left', stacked: true, beginAtZero: true, title: { display: true, text: 'records', color: '#5e6b7e' }, ticks: { color: '#5e6b7e', precision: 0 } },
          seconds: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'seconds', color: '#5e6b7e' }, ticks: { color: '#5e6b7e' }, grid: { display: false } },
        },
      },
    });
    return () => chart.destroy();
  }, [runs]);
  if (runs.length === 0) return <Text c="dimmed">No runs yet: the chart appears after the first run.</Text>;
  return (
    <figure style={{ margin: 0 }}>
      <div style={{ position: 'relative', height: 240 }}>
        <canvas ref={canvas} role="img" aria-label={`${title}. ${chartSummary(runs)}`} data-testid="runs-chart" />
      </div>
      <figcaption>
        <Text size="xs" c="dimmed">
          {title}: records created, updated and refused per run (bars) and how long each run took (line).
        </Text>
      </figcaption>
    </figure>
  );
}
