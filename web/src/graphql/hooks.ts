import {
  useMutation,
  useQuery,
  useQueryClient,
  type QueryKey,
  type UseQueryOptions,
  type UseQueryResult,
} from '@tanstack/react-query';
import { useCallback, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { AnyDocument, TypedDocument } from './document';
import type { LiveStatus } from './live';
import { ApiContext, type Api } from './ApiProvider';
import { graphqlRequest } from './request';

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi needs an ApiProvider');
  return api;
}

/** Query keys start with the operation name, so a mutation can invalidate every query of an operation. */
export function queryKey<TVariables>(document: TypedDocument<unknown, TVariables>, variables: TVariables): QueryKey {
  return [document.operationName, variables];
}

type QueryOptions<T> = Omit<UseQueryOptions<T>, 'queryKey' | 'queryFn'>;

export function useGraphQLQuery<TResult, TVariables>(
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  options: QueryOptions<TResult> = {},
): UseQueryResult<TResult> {
  const { apiKey } = useApi();
  return useQuery<TResult>({
    queryKey: queryKey(document, variables),
    queryFn: ({ signal }) => graphqlRequest(document, variables, { apiKey, signal }),
    ...options,
  });
}

/** A mutation that, once it succeeds, refetches the queries of the operations named in `invalidates`. */
export function useGraphQLMutation<TResult, TVariables>(
  document: TypedDocument<TResult, TVariables>,
  invalidates: readonly AnyDocument[] = [],
) {
  const { apiKey } = useApi();
  const queryClient = useQueryClient();
  return useMutation<TResult, Error, TVariables>({
    mutationKey: [document.operationName],
    mutationFn: (variables) => graphqlRequest(document, variables, { apiKey }),
    onSuccess: async () => {
      await Promise.all(invalidates.map((d) => queryClient.invalidateQueries({ queryKey: [d.operationName] })));
    },
  });
}

/**
 * Runs a subscription while the component is mounted (and `enabled`). The handler may change between renders
 * without resubscribing; a change of the variables resubscribes.
 */
export function useGraphQLSubscription<TResult, TVariables>(
  document: TypedDocument<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  enabled = true,
): void {
  const { live } = useApi();
  const handler = useRef(onData);
  useEffect(() => {
    handler.current = onData;
  });
  const variablesKey = JSON.stringify(variables);
  useEffect(() => {
    if (!enabled) return undefined;
    const vars = JSON.parse(variablesKey) as TVariables;
    return live.subscribe(document, vars, {
      next: (data) => handler.current(data),
      error: (error) => console.warn(`${document.operationName}: ${error.message}`),
    });
  }, [live, document, variablesKey, enabled]);
}

export function useLiveStatus(): LiveStatus {
  const { live } = useApi();
  return useSyncExternalStore(
    (notify) => live.onStatus(() => notify()),
    () => live.status,
  );
}

/**
 * Invalidates the named operations at most once per interval, however many events ask for it: a burst of
 * SESSION_START events refetches a page once.
 */
export function useThrottledInvalidate(documents: readonly AnyDocument[], intervalMs = 1000): () => void {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const names = useRef(documents.map((d) => d.operationName));
  useEffect(() => {
    names.current = documents.map((d) => d.operationName);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      for (const name of names.current) void queryClient.invalidateQueries({ queryKey: [name] });
    }, intervalMs);
  }, [queryClient, intervalMs]);
}
