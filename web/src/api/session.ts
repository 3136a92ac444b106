/** Who is signed in, signing in and out. The server keeps the session in an httpOnly cookie. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { meSchema, type LoginBody, type Me } from '../../../src/server/api/contract.js';
import { api, ApiError, setCsrfToken } from './http';

export type SessionUser = Me['user'];

/** The signed-in user, or `null` when there is no session (401). */
export function useSession() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await api('/api/v1/me', { schema: meSchema });
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: LoginBody) => {
      const me = await api('/api/v1/session', { method: 'POST', body: input, schema: meSchema });
      setCsrfToken(me.csrfToken);
      return me;
    },
    onSuccess: (me) => client.setQueryData(['me'], me),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api('/api/v1/session', { method: 'DELETE' }),
    onSettled: () => {
      setCsrfToken(null);
      // Keep the ['me'] query (App observes it) and drop everything the user could see.
      client.setQueryData(['me'], null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    },
  });
}
