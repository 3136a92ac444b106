/**
 * Live progress of a run over Server-Sent Events (GET /api/v1/runs/{id}/events): `progress`
 * events while it goes, one `done` at the end. The browser's EventSource reconnects by itself
 * after a network blip; a `done` closes the stream for good.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { runDoneSchema, runProgressSchema, type RunDone, type RunProgress } from '../../../src/server/api/contract.js';

export interface RunEvents {
  progress: RunProgress | null;
  done: RunDone | null;
  connected: boolean;
}

/** `id` is a run id or a job id; `null` listens to nothing. */
export function useRunEvents(id: string | number | null): RunEvents {
  const client = useQueryClient();
  const [state, setState] = useState<RunEvents>({ progress: null, done: null, connected: false });
  useEffect(() => {
    setState({ progress: null, done: null, connected: false });
    if (id === null) return;
    const source = new EventSource(`/api/v1/runs/${encodeURIComponent(String(id))}/events`, { withCredentials: true });
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.addEventListener('progress', (e) => {
      const parsed = runProgressSchema.safeParse(JSON.parse((e as MessageEvent<string>).data));
      if (parsed.success) setState((s) => ({ ...s, progress: parsed.data }));
    });
    source.addEventListener('done', (e) => {
      const parsed = runDoneSchema.safeParse(JSON.parse((e as MessageEvent<string>).data));
      if (parsed.success) setState((s) => ({ ...s, done: parsed.data, connected: false }));
      source.close();
      // The run's page, the list and the dashboard now have a finished run to show.
      void client.invalidateQueries({ queryKey: ['run'] });
      void client.invalidateQueries({ queryKey: ['runs'] });
      void client.invalidateQueries({ queryKey: ['dashboard'] });
      void client.invalidateQueries({ queryKey: ['job'] });
    });
    return () => source.close();
  }, [id, client]);
  return state;
}
