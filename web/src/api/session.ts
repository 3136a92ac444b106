/** Who is signed in, signing in and out. The server keeps the session in an httpOnly cookie. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from './http';

export interface SessionUser {
  name: string;
  role: string;
}

interface SessionAnswer {
  user: SessionUser | null;
  csrfToken?: string | null;
}

export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<SessionAnswer> => {
      try {
        const answer = (await api('/api/v1/session')) as SessionAnswer;
        setCsrfToken(answer.csrfToken ?? null);
        return answer;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return { user: null };
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: { username: string; password: string }) => {
      const answer = (await api('/api/v1/session', { method: 'POST', body: input })) as SessionAnswer;
      setCsrfToken(answer.csrfToken ?? null);
      return answer;
    },
    onSuccess: (answer) => client.setQueryData(['session'], answer),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api('/api/v1/session', { method: 'DELETE' }),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(['session'], { user: null });
    },
  });
}
