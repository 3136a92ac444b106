import { Badge } from '@mantine/core';
import { statusLabel } from '../format';
import { statusColor } from '../theme';

/** A run's status in words, coloured; never colour alone (the word is always there). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor[status] ?? 'dark.7'} size="md">
      {statusLabel[status] ?? status}
    </Badge>
  );
}
