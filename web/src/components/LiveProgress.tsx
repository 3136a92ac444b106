/** A run while it goes: phase, records read and settled, requests, slow-downs asked by the PIM (429), time left; Cancel. */
import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { useRunEvents } from '../api/events';
import { useCancelRun } from '../api/hooks';
import { formatCount, formatDuration, statusLabel } from '../format';

const phaseLabel: Record<string, string> = {
  starting: 'Starting',
  reading: 'Reading the ERP',
  categories: 'Sending categories',
  items: 'Sending products',
  deletions: 'Handling removed products',
  verify: 'Checking the PIM',
  // A run in the job queue, on the workers (`ferry worker`); waiting for another tenant's run says whose instead.
  waiting: 'Queued: waiting for a worker',
  planning: 'Planning on a worker (categories, options, the ERP keys)',
  shards: 'Sending products on the workers',
  settling: 'Every shard done: settling the report',
  done: 'Finishing',
};

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
        {label}
      </Text>
      <Text size="lg" data-testid={`progress-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
        {value}
      </Text>
    </div>
  );
}

/** `id`: the run id or the job id the events are asked for; `mayCancel`: the user's role and the run allow it. */
export function LiveProgress({ id, mayCancel, onDone }: { id: string | number; mayCancel: boolean; onDone?: () => void }) {
  const { progress, done, connected } = useRunEvents(id);
  const cancel = useCancelRun(id);
  useEffect(() => {
    if (done) onDone?.();
  }, [done, onDone]);
  if (done) {
    return (
      <Alert color={done.status === 'succeeded' ? 'green' : done.status === 'rejects' ? 'orange' : 'red'} title={`Run finished: ${statusLabel[done.status] ?? done.status}`} role="status">
        {done.counts && (
          <Text size="sm">
            {formatCount(done.counts.read)} records read: {formatCount(done.counts.created)} created, {formatCount(done.counts.updated)} updated,{' '}
            {formatCount(done.counts.rejected)} refused, {formatCount(done.counts.unchanged)} unchanged.
          </Text>
        )}
        {done.error && <Text size="sm">{done.error}</Text>}
        {done.status === 'interrupted' && <Text size="sm">The run was stopped. The next run picks up where it stopped.</Text>}
      </Alert>
    );
  }
  // A queued run counts its shards; a run in the Console its records.
  const percent = progress?.shardsTotal
    ? Math.round(((progress.shardsDone ?? 0) / progress.shardsTotal) * 100)
    : progress && progress.read > 0
      ? Math.min(100, Math.round((progress.settled / progress.read) * 100))
      : 0;
  return (
    <Paper aria-labelledby="live-title" component="section">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4" id="live-title">
          Live progress
        </Title>
        {mayCancel && (
          <Button
            color="bad.9"
            variant="outline"
            loading={cancel.isPending}
            disabled={progress?.cancelling || cancel.isSuccess}
            onClick={() =>
              cancel.mutate(undefined, {
                onError: (e) => notifications.show({ color: 'red', title: 'Could not stop the run', message: e.message }),
              })
            }
          >
            {progress?.cancelling || cancel.isSuccess ? 'Stopping…' : 'Cancel the run'}
          </Button>
        )}
      </Group>
      <Stack gap="sm" aria-live="polite">
        <Text fw={700} data-testid="progress-phase">
          {progress
            ? progress.cancelling
              ? 'Stopping: letting the batches already sent finish…'
              : progress.phase === 'waiting' && progress.waitingFor
                ? `Waiting for ${progress.waitingFor}`
                : `${phaseLabel[progress.phase] ?? progress.phase}${progress.shardsTotal ? ` (${progress.shardsDone ?? 0} of ${progress.shardsTotal} shards)` : ''}`
            : connected
              ? 'Waiting for the first news…'
              : 'Connecting…'}
        </Text>
        {progress?.phase === 'waiting' && progress.waitingFor && !progress.cancelling && (
          <Text size="sm" data-testid="progress-waiting">
            Runs on one PIM with the same Akeneo Connection go one at a time: this one starts by itself when that run ends (or fails after sync.lockWaitSeconds).
          </Text>
        )}
        <Progress value={percent} size="lg" aria-label={`Records settled: ${percent}%`} animated={!progress?.cancelling} />
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          <Figure label="Records read" value={formatCount(progress?.read ?? 0)} />
          <Figure label="Records done" value={formatCount(progress?.settled ?? 0)} />
          <Figure label="Requests to the PIM" value={formatCount(progress?.requests ?? 0)} />
          <Figure label="Slow-downs (429)" value={formatCount(progress?.throttled ?? 0)} />
          <Figure label="Time left" value={progress?.etaSeconds == null ? 'estimating…' : `about ${formatDuration(progress.etaSeconds * 1000)}`} />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          Running for {formatDuration(progress?.elapsedMs ?? 0)}. A slow-down is the PIM asking Ferry to wait a little; Ferry waits and goes on by itself.
        </Text>
      </Stack>
    </Paper>
  );
}
