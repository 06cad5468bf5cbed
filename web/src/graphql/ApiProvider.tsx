import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { createContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isAuthFailure } from './errors';
import { createLiveClient, liveUrl, type LiveClient } from './live';
import { GRAPHQL_PATH } from './request';

export interface Api {
  readonly apiKey: string;
  readonly live: LiveClient;
  readonly signOut: (reason?: string) => void;
}

export const ApiContext = createContext<Api | null>(null);

function makeQueryClient(onAuthFailure: () => void): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: (error) => isAuthFailure(error) && onAuthFailure() }),
    mutationCache: new MutationCache({ onError: (error) => isAuthFailure(error) && onAuthFailure() }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !isAuthFailure(error) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * One query cache and one live connection per signed-in key. When the live connection comes back after a drop,
 * every active query is refetched: events sent while it was down are not replayed.
 */
export function ApiProvider({
  apiKey,
  onSignOut,
  children,
}: {
  apiKey: string;
  onSignOut: (reason?: string) => void;
  children: ReactNode;
}) {
  const [queryClient] = useState(() => makeQueryClient(() => onSignOut('The API key was refused. Sign in again.')));
  const live = useMemo(() => createLiveClient({ url: liveUrl(GRAPHQL_PATH, window.location.origin), apiKey }), [apiKey]);

  useEffect(() => {
    const off = live.onStatus((status, resumed) => {
      if (status === 'unauthorized') onSignOut('The API key was refused. Sign in again.');
      if (resumed) void queryClient.invalidateQueries();
    });
    return () => {
      off();
      live.dispose();
    };
  }, [live, queryClient, onSignOut]);

  useEffect(() => () => queryClient.clear(), [queryClient]);

  const api = useMemo<Api>(() => ({ apiKey, live, signOut: onSignOut }), [apiKey, live, onSignOut]);
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}
