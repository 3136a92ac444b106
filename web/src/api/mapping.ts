/** The Mapping and Bootstrap pages' server calls (their own file so hooks.ts stays the other pages'). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  bootstrapApplySchema,
  bootstrapPlanViewSchema,
  configFileSchema,
  configSavedSchema,
  mappingCheckSchema,
  mappingOverviewSchema,
  mappingPreviewSchema,
} from '../../../src/server/api/contract.js';
import { draftChanges } from '../components/mapping/draft-edit';
import { api } from './http';

const V1 = '/api/v1';
export type Draft = Record<string, unknown>;

/** The saved mapping's table. */
export function useSavedMapping() {
  return useQuery({ queryKey: ['mapping'], queryFn: () => api(`${V1}/mapping`, { schema: mappingOverviewSchema }), staleTime: 30_000 });
}

/** The table for a draft (null: not edited yet), recomputed as the draft changes. */
export function useDraftOverview(draft: Draft | null) {
  return useQuery({
    queryKey: ['mapping-overview', draft],
    queryFn: () => api(`${V1}/mapping/overview`, { method: 'POST', body: { mapping: draft }, schema: mappingOverviewSchema }),
    enabled: draft !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

/** `ferry map` on the draft: the given SKUs, or `sample` groups at random (the answer says which, to keep them). */
export function useMappingPreview(input: { mapping: Draft | null; keys: string[] | null; sample: number; nonce: number } | null) {
  return useQuery({
    queryKey: ['mapping-preview', input],
    queryFn: () =>
      api(`${V1}/mapping/preview`, {
        method: 'POST',
        body: { ...(input!.mapping ? { mapping: input!.mapping } : {}), ...(input!.keys?.length ? { keys: input!.keys } : {}), sample: input!.sample },
        schema: mappingPreviewSchema,
      }),
    enabled: input !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Infinity,
  });
}

export function useMappingCheck() {
  return useMutation({ mutationFn: (draft: Draft | null) => api(`${V1}/mapping/check`, { method: 'POST', body: draft ? { mapping: draft } : {}, schema: mappingCheckSchema }) });
}

export function useReloadSamples() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api(`${V1}/mapping/reload`, { method: 'POST', body: {} }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['mapping'] });
      void client.invalidateQueries({ queryKey: ['mapping-overview'] });
      void client.invalidateQueries({ queryKey: ['mapping-preview'] });
    },
  });
}

export function useBootstrapPlan() {
  return useQuery({ queryKey: ['bootstrap-plan'], queryFn: () => api(`${V1}/bootstrap/plan`, { schema: bootstrapPlanViewSchema }), retry: false });
}

export function useApplyBootstrap() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (planId: string) => api(`${V1}/bootstrap/apply`, { method: 'POST', body: { confirm: true, planId }, schema: bootstrapApplySchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['mapping'] });
      void client.invalidateQueries({ queryKey: ['mapping-overview'] });
    },
  });
}

/** Saves the draft into ferry.yaml through the config API: based on the version read now, so a file changed meanwhile is a conflict. */
export function useSaveMapping() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ saved, draft }: { saved: Draft; draft: Draft }) => {
      const file = await api(`${V1}/config`, { schema: configFileSchema });
      return api(`${V1}/config`, { method: 'PUT', body: { baseVersion: file.version, changes: draftChanges(saved, draft), note: 'mapping edited in the Console' }, schema: configSavedSchema });
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['mapping'] });
      void client.invalidateQueries({ queryKey: ['bootstrap-plan'] });
    },
  });
}
