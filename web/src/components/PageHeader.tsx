import { Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The page title (the page's one h2 under the app's h1), a sentence saying what the page is for, actions on the right. */
export function PageHeader({ title, help, actions }: { title: string; help?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
      <Stack gap={4}>
        <Title order={2} fw={400} size="h2">
          {title}
        </Title>
        {help && (
          <Text c="dimmed" size="sm" maw={720}>
            {help}
          </Text>
        )}
      </Stack>
      {actions && <Group gap="sm">{actions}</Group>}
    </Group>
  );
}
