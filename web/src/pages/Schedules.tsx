import { Title } from '@mantine/core';

export function SchedulesPage() {
  return <Title order={2}>Schedules</Title>;
}
