// The WebSocket side of the API: graphql-ws (graphql-transport-ws protocol) with the API key in connection_init,
// reconnection with capped backoff, and a status the UI shows ("live", "reconnecting", ...). A key the server
// refuses (close 4401/4403) is final: no retry, the operator is signed out.

import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import type { TypedDocument } from './document';
import { AuthError, GraphQLRequestError, NetworkError, type GraphQLErrorShape } from './errors';

export type LiveStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'unauthorized' | 'disposed';

export interface LiveHandlers<T> {
  next(data: T): void;
  error?(error: Error): void;
  complete?(): void;
}

export interface LiveClient {
  subscribe<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    variables: TVariables,
    handlers: LiveHandlers<TResult>,
  ): () => void;
  readonly status: LiveStatus;
  /** Called on every status change; `resumed` is true when a dropped connection came back (events may be missed). */
  onStatus(listener: (status: LiveStatus, resumed: boolean) => void): () => void;
  dispose(): void;
}

export interface LiveClientOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly webSocketImpl?: unknown;
  /** Delay before retry `attempt` (0-based); the default backs off from 0.5 s to 10 s with jitter. */
  readonly retryDelayMs?: (attempt: number) => number;
  readonly keepAliveMs?: number;
  /**
   * graphql-ws gives up on a connection closed with a code it deems fatal (1011, 4500, ...) and errors every
   * subscription; a dashboard should not stay frozen after a controller restart, so this client subscribes
   * again after this delay. A refused key or a GraphQL error in the operation is not retried.
   */
  readonly resubscribeDelayMs?: number;
}

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

export function defaultRetryDelay(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

function closeCode(event: unknown): number | undefined {
  if (typeof event === 'object' && event !== null && 'code' in event) {
    const code = event.code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

function isAuthClose(event: unknown): boolean {
  const code = closeCode(event);
  return code === CLOSE_UNAUTHORIZED || code === CLOSE_FORBIDDEN;
}

function toError(error: unknown): Error {
  if (Array.isArray(error)) return new GraphQLRequestError(error as GraphQLErrorShape[]);
  if (isAuthClose(error)) return new AuthError();
  if (error instanceof Error) return error;
  const code = closeCode(error);
  return new NetworkError(code === undefined ? 'The live connection failed.' : `The live connection closed (${code}).`);
}

/** ws://host/graphql for http://host, wss:// for https://; a relative path is taken from the page's origin. */
export function liveUrl(path: string, origin: string): string {
  const url = new URL(path, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function createLiveClient(options: LiveClientOptions): LiveClient {
  const listeners = new Set<(status: LiveStatus, resumed: boolean) => void>();
  let status: LiveStatus = 'idle';
  let everConnected = false;
  let dropped = false;
  let disposed = false;
  let active = 0;

  const setStatus = (next: LiveStatus, resumed = false) => {
    if (status === next && !resumed) return;
    status = next;
    for (const listener of listeners) listener(next, resumed);
  };

  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  const clientOptions: ClientOptions = {
    url: options.url,
    connectionParams: () => ({ Authorization: `Bearer ${options.apiKey}` }),
    lazy: true,
    lazyCloseTimeout: 1000,
    keepAlive: options.keepAliveMs ?? 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => !isAuthClose(event),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
    on: {
      connecting: () => {
        if (disposed || status === 'unauthorized') return;
        setStatus(everConnected || dropped ? 'reconnecting' : 'connecting');
      },
      connected: () => {
        if (disposed) return;
        const resumed = everConnected && dropped;
        everConnected = true;
        dropped = false;
        setStatus('connected', resumed);
      },
      closed: (event) => {
        if (disposed) return;
        if (isAuthClose(event)) {
          setStatus('unauthorized');
          return;
        }
        // 1000 is the lazy close after the last subscription ended; anything else is a drop to recover from.
        if (closeCode(event) === 1000 && active === 0) {
          setStatus('idle');
          return;
        }
        dropped = true;
        setStatus('reconnecting');
      },
    },
  };
  if (options.webSocketImpl !== undefined) clientOptions.webSocketImpl = options.webSocketImpl;
  const client: Client = createClient(clientOptions);

  return {
    get status() {
      return status;
    },
    subscribe<TResult, TVariables>(
      document: TypedDocument<TResult, TVariables>,
      variables: TVariables,
      handlers: LiveHandlers<TResult>,
    ) {
      if (disposed) throw new Error('the live client is disposed');
      active++;
      let ended = false;
      let unsubscribe: () => void = () => undefined;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      const end = () => {
        if (!ended) {
          ended = true;
          active--;
          clearTimeout(retryTimer);
        }
      };
      const start = () => {
        unsubscribe = client.subscribe<TResult>(
          { query: document.source, operationName: document.operationName, variables: variables as Record<string, unknown> },
          {
            next: (result) => {
              if (result.errors && result.errors.length > 0) {
                handlers.error?.(new GraphQLRequestError(result.errors));
                return;
              }
              if (result.data) handlers.next(result.data);
            },
            error: (raw) => {
              const error = toError(raw);
              if (!ended && !disposed && error instanceof NetworkError) {
                dropped = true;
                setStatus('reconnecting');
                retryTimer = setTimeout(start, options.resubscribeDelayMs ?? 3000);
                return;
              }
              end();
              handlers.error?.(error);
            },
            complete: () => {
              end();
              handlers.complete?.();
            },
          },
        );
      };
      start();
      return () => {
        end();
        unsubscribe();
      };
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      if (disposed) return;
      setStatus('disposed');
      disposed = true;
      listeners.clear();
      void client.dispose();
    },
  };
}
