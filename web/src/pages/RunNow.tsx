import { Title } from '@mantine/core';

export function RunNowPage() {
  return <Title order={2}>Run now</Title>;
}
