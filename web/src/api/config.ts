/** ferry.yaml, secrets, history, connection forms and tests: the hooks of the Connections, History and Setup pages. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  configFileSchema,
  configHistoryDetailSchema,
  configHistoryPageSchema,
  configSavedSchema,
  connectionFormsSchema,
  erpTestResultSchema,
  pimTestResultSchema,
  type ConfigProblemBody,
  type ConfigSaveBody,
  type ConnectionTestBody,
} from '../../../src/server/api/contract.js';
import { api, ApiError } from './http';

const V1 = '/api/v1';

export function useConfigFile() {
  return useQuery({ queryKey: ['config'], queryFn: () => api(`${V1}/config`, { schema: configFileSchema }) });
}

export function useSaveConfig() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ConfigSaveBody) => api(`${V1}/config`, { method: 'PUT', body, schema: configSavedSchema }),
    onSuccess: (saved) => {
      if (saved.saved) {
        void client.invalidateQueries({ queryKey: ['config'] });
        void client.invalidateQueries({ queryKey: ['config-history'] });
      }
    },
  });
}

/** A 422's problems (each with its key path), or null. */
export function problemsOf(error: unknown): ConfigProblemBody[] | null {
  if (error instanceof ApiError && error.status === 422) {
    const errors = (error.body as { errors?: ConfigProblemBody[] } | undefined)?.errors;
    return Array.isArray(errors) ? errors : null;
  }
  return null;
}

export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

export function useConnectionForms() {
  return useQuery({ queryKey: ['connection-forms'], queryFn: () => api(`${V1}/connections/forms`, { schema: connectionFormsSchema }), staleTime: Infinity });
}

export function useTestPim() {
  return useMutation({ mutationFn: (body: ConnectionTestBody) => api(`${V1}/connections/pim/test`, { method: 'POST', body, schema: pimTestResultSchema }) });
}

export function useTestErp() {
  return useMutation({ mutationFn: (body: ConnectionTestBody) => api(`${V1}/connections/erp/test`, { method: 'POST', body, schema: erpTestResultSchema }) });
}

export function useConfigHistory(page: number) {
  return useQuery({ queryKey: ['config-history', page], queryFn: () => api(`${V1}/config/history`, { query: { page, pageSize: 20 }, schema: configHistoryPageSchema }) });
}

export function useConfigHistoryEntry(id: number | null) {
  return useQuery({ queryKey: ['config-history-entry', id], queryFn: () => api(`${V1}/config/history/${id}`, { schema: configHistoryDetailSchema }), enabled: id !== null });
}

export function useRestoreConfig() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, baseVersion }: { id: number; baseVersion: string }) => api(`${V1}/config/history/${id}/restore`, { method: 'POST', body: { baseVersion }, schema: configSavedSchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['config'] });
      void client.invalidateQueries({ queryKey: ['config-history'] });
    },
  });
}
