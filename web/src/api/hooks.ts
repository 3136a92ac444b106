/** Every server read and action the pages use, as TanStack Query hooks over the shared contract. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  apiTokenCreatedSchema,
  apiTokensSchema,
  auditPageSchema,
  channelCreatedSchema,
  channelSchema,
  channelsSchema,
  dashboardSchema,
  deploymentSchema,
  deliveriesPageSchema,
  erpCategoriesSchema,
  exportOverviewSchema,
  importEstimateSchema,
  jobSchema,
  occurrencesPageSchema,
  ruleSchema,
  rulesSchema,
  runDetailSchema,
  runRecordsPageSchema,
  runsPageSchema,
  scheduleSchema,
  schedulePreviewSchema,
  schedulesSchema,
  startedRunSchema,
  testSendSchema,
  userSchema,
  usersSchema,
  type ChannelInput,
  type RuleInput,
  type RunRecordsQuery,
  type RunsQuery,
  type ScheduleInput,
  type SchedulePreviewBody,
  type StartExportBody,
  type StartRunBody,
} from '../../../src/server/api/contract.js';
import { api } from './http';

const V1 = '/api/v1';

/** The connections this Console serves (several in a deployment, docs/operations.md); none for a single ferry.yaml. */
export function useDeployment() {
  return useQuery({ queryKey: ['deployment'], queryFn: () => api(`${V1}/deployment`, { schema: deploymentSchema }), staleTime: 60_000 });
}

export function useDashboard() {
  return useQuery({ queryKey: ['dashboard'], queryFn: () => api(`${V1}/dashboard`, { schema: dashboardSchema }), refetchInterval: 10_000 });
}

/**
 * The first import's estimate (GET /estimate): it counts the ERP, samples 500 items and times the
 * PIM, so it is asked once per visit (and again on demand), never polled.
 */
export function useEstimate() {
  return useQuery({ queryKey: ['estimate'], queryFn: () => api(`${V1}/estimate`, { schema: importEstimateSchema }), staleTime: Infinity, refetchOnWindowFocus: false, retry: false });
}

export function useRuns(query: Partial<RunsQuery>) {
  return useQuery({
    queryKey: ['runs', query],
    queryFn: () => api(`${V1}/runs`, { schema: runsPageSchema, query }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}

export function useRun(id: number) {
  return useQuery({
    queryKey: ['run', id],
    queryFn: () => api(`${V1}/runs/${id}`, { schema: runDetailSchema }),
    // The live events say when it ends; polling too covers a stream cut short (proxy, sleep).
    refetchInterval: (q) => (q.state.data?.run.status === 'running' ? 3000 : false),
  });
}

export function useRunRecords(id: number, query: Partial<RunRecordsQuery>) {
  return useQuery({
    queryKey: ['run', id, 'records', query],
    queryFn: () => api(`${V1}/runs/${id}/records`, { schema: runRecordsPageSchema, query }),
    placeholderData: keepPreviousData,
  });
}

export function useJob(jobId: string | null) {
  return useQuery({
    queryKey: ['job', jobId],
    queryFn: () => api(`${V1}/jobs/${encodeURIComponent(jobId!)}`, { schema: jobSchema }),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 1000 : false),
  });
}

export function useStartRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StartRunBody) => api(`${V1}/runs`, { method: 'POST', body, schema: startedRunSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['runs'] }),
  });
}

export function useRetryRejected(runId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (dryRun: boolean) => api(`${V1}/runs/${runId}/retry-rejected`, { method: 'POST', body: { dryRun }, schema: startedRunSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['runs'] }),
  });
}

export function useCancelRun(runId: number | string) {
  return useMutation({ mutationFn: () => api(`${V1}/runs/${runId}/cancel`, { method: 'POST', body: {} }) });
}

export function useErpCategories(enabled: boolean) {
  return useQuery({ queryKey: ['erp-categories'], queryFn: () => api(`${V1}/erp/categories`, { schema: erpCategoriesSchema }), enabled, staleTime: 300_000 });
}

// --- schedules ---

export function useSchedules() {
  return useQuery({ queryKey: ['schedules'], queryFn: () => api(`${V1}/schedules`, { schema: schedulesSchema }) });
}

/** A saved schedule's fired, skipped and failed slots, newest first. */
export function useScheduleOccurrences(id: number | null, pageSize = 10) {
  return useQuery({
    queryKey: ['schedule-occurrences', id, pageSize],
    queryFn: () => api(`${V1}/schedules/${id}/occurrences?pageSize=${pageSize}`, { schema: occurrencesPageSchema }),
    enabled: id !== null,
  });
}

export function useSchedulePreview(input: SchedulePreviewBody | null) {
  return useQuery({
    queryKey: ['schedule-preview', input],
    queryFn: () => api(`${V1}/schedules/preview`, { method: 'POST', body: input, schema: schedulePreviewSchema }),
    enabled: input !== null,
    retry: false,
  });
}

export function useSaveSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: number; input: ScheduleInput }) =>
      api(id ? `${V1}/schedules/${id}` : `${V1}/schedules`, { method: id ? 'PUT' : 'POST', body: input, schema: scheduleSchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['schedules'] });
      void client.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
}

export function useDeleteSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/schedules/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['schedules'] }),
  });
}

// --- notifications ---

export function useChannels(enabled = true) {
  return useQuery({ queryKey: ['channels'], queryFn: () => api(`${V1}/channels`, { schema: channelsSchema }), enabled });
}

export function useSaveChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: number; input: ChannelInput }) =>
      id
        ? api(`${V1}/channels/${id}`, { method: 'PUT', body: input, schema: channelSchema }).then((c) => ({ ...c, secretOnce: null }))
        : api(`${V1}/channels`, { method: 'POST', body: input, schema: channelCreatedSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['channels'] }),
  });
}

export function useDeleteChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/channels/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['channels'] }),
  });
}

export function useTestChannel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/channels/${id}/test`, { method: 'POST', body: {}, schema: testSendSchema }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['channels'] });
      void client.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
}

export function useDeliveries(channelId: number | null) {
  return useQuery({
    queryKey: ['deliveries', channelId],
    queryFn: () => api(`${V1}/channels/${channelId}/deliveries`, { schema: deliveriesPageSchema, query: { pageSize: 10 } }),
    enabled: channelId !== null,
  });
}

export function useRules(enabled = true) {
  return useQuery({ queryKey: ['rules'], queryFn: () => api(`${V1}/rules`, { schema: rulesSchema }), enabled });
}

export function useSaveRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: number; input: RuleInput }) =>
      api(id ? `${V1}/rules/${id}` : `${V1}/rules`, { method: id ? 'PUT' : 'POST', body: input, schema: ruleSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['rules'] }),
  });
}

export function useDeleteRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/rules/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['rules'] }),
  });
}

// --- users, audit, tokens ---

export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: () => api(`${V1}/users`, { schema: usersSchema }) });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; role: string; password: string }) => api(`${V1}/users`, { method: 'POST', body: input, schema: userSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: number; input: { role?: string; password?: string; disabled?: boolean } }) =>
      api(`${V1}/users/${id}`, { method: 'PUT', body: input, schema: userSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/users/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useAudit(page: number, action?: string) {
  return useQuery({
    queryKey: ['audit', page, action],
    queryFn: () => api(`${V1}/audit`, { schema: auditPageSchema, query: { page, pageSize: 20, action } }),
    placeholderData: keepPreviousData,
  });
}

export function useTokens() {
  return useQuery({ queryKey: ['tokens'], queryFn: () => api(`${V1}/tokens`, { schema: apiTokensSchema }) });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api(`${V1}/tokens`, { method: 'POST', body: { name }, schema: apiTokenCreatedSchema }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

export function useDeleteToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api(`${V1}/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

/** The PIM → ERP page: the products of each export status, as the PIM has them. */
export function useExportOverview() {
  return useQuery({ queryKey: ['export-overview'], queryFn: () => api(`${V1}/export/overview`, { schema: exportOverviewSchema }), refetchInterval: 15_000 });
}

export function useStartExport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StartExportBody) => api(`${V1}/export/runs`, { method: 'POST', body, schema: startedRunSchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['runs'] });
      void client.invalidateQueries({ queryKey: ['export-overview'] });
    },
  });
}

export function useRetryExport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => api(`${V1}/export/products/${encodeURIComponent(key)}/retry`, { method: 'POST', body: {}, schema: startedRunSchema }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['runs'] });
      void client.invalidateQueries({ queryKey: ['export-overview'] });
    },
  });
}
