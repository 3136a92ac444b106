/** The three states of anything loaded from the server: loading, failed (in words), loaded. */
import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

export function QueryState<T>({ query, children, what }: { query: UseQueryResult<T>; children: (data: T) => ReactNode; what: string }) {
  if (query.isPending) {
    return (
      <Group gap="sm" p="md">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">Loading {what}…</Text>
      </Group>
    );
  }
  if (query.isError) {
    return (
      <Alert color="red" title={`Could not load ${what}`} role="alert">
        <Text size="sm">{query.error.message}</Text>
        <Button mt="sm" size="xs" variant="default" onClick={() => void query.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  }
  return <>{children(query.data)}</>;
}
