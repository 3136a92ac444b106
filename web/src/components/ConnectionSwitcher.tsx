/**
 * The header's connection switcher, shown when `ferry serve` serves several connections. The
 * server picks a request's connection from the `ferry_connection` cookie (src/server/deployment.ts),
 * so switching sets it and reloads the app: every page, cache and live stream then speaks of the
 * chosen connection, with no URL changed. A connection that is not served is listed, disabled,
 * and its error is shown under the header.
 */
import { Alert, Select, Text } from '@mantine/core';
import { CONNECTION_COOKIE } from '../../../src/server/api/contract.js';
import { useDeployment } from '../api/hooks';

function choose(name: string): void {
  document.cookie = `${CONNECTION_COOKIE}=${encodeURIComponent(name)}; path=/; max-age=${365 * 24 * 3600}; SameSite=Strict`;
  // From the top: a run page of one connection means nothing in another.
  window.location.assign('/');
}

export function ConnectionSwitcher() {
  const deployment = useDeployment();
  const d = deployment.data;
  if (!d || d.connections.length < 2 || d.current === null) return null;
  return (
    <Select
      aria-label="Connection"
      size="xs"
      w={220}
      allowDeselect={false}
      checkIconPosition="right"
      value={d.current}
      data={d.connections.map((c) => ({ value: c.name, label: c.error ? `${c.name} (not served)` : c.name, disabled: c.error !== null }))}
      onChange={(v) => v && v !== d.current && choose(v)}
      // Mantine fades a disabled option below a readable contrast; its words say it is not served instead.
      styles={{ option: { opacity: 1 } }}
      renderOption={({ option }) => (
        <Text size="xs" c={option.disabled ? 'gray.7' : undefined} fs={option.disabled ? 'italic' : undefined}>
          {option.label}
        </Text>
      )}
    />
  );
}

/** The connections that are not served, with why: one broken tenant is visible, never silent. */
export function ConnectionProblems() {
  const deployment = useDeployment();
  const broken = deployment.data?.connections.filter((c) => c.error !== null) ?? [];
  if (broken.length === 0) return null;
  return (
    <Alert color="red" variant="light" mb="md" title={broken.length === 1 ? 'A connection is not served' : `${broken.length} connections are not served`}>
      {broken.map((c) => (
        <div key={c.name}>
          <strong>{c.name}</strong>: {c.error}
        </div>
      ))}
      The other connections run and keep their schedules. Fix the configuration and restart ferry serve.
    </Alert>
  );
}
