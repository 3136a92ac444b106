import { Title } from '@mantine/core';

export function RunDetailPage() {
  return <Title order={2}>Run detail</Title>;
}
