import { Title } from '@mantine/core';

export function NotificationsPage() {
  return <Title order={2}>Notifications</Title>;
}
