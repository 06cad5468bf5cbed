import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useGraphQLQuery, useGraphQLSubscription } from '../graphql/hooks';
import { toMillis } from '../lib/format';
import { AggregateTrafficQuery, TrafficUpdatedSubscription } from './operations';
import { TICK_MS, TrafficStore } from './trafficStore';

const TrafficContext = createContext<{ store: TrafficStore; from: string } | null>(null);

/** The history the live chart starts from: the last 30 minutes in 15-second buckets. */
export const HISTORY_MS = 30 * 60 * 1000;
export const HISTORY_STEP_SECONDS = 15;

function historyStart(): string {
  return new Date(Math.floor((Date.now() - HISTORY_MS) / 60_000) * 60_000).toISOString();
}

/** Subscribes to every session's counter reports for as long as the operator is signed in. */
export function LiveTrafficProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new TrafficStore());
  const [from] = useState(historyStart);
  const history = useGraphQLQuery(AggregateTrafficQuery, { from, stepSeconds: HISTORY_STEP_SECONDS });

  useEffect(() => {
    if (history.data) store.seedAggregate({ rate: history.data.traffic, at: history.dataUpdatedAt });
  }, [history.data, history.dataUpdatedAt, store]);

  useGraphQLSubscription(TrafficUpdatedSubscription, {}, ({ trafficUpdated: u }) => {
    const time = toMillis(u.time) ?? Date.now();
    store.ingest({ sessionId: u.sessionId, time, bytesUp: u.bytesUp, bytesDown: u.bytesDown, upBps: u.upBps, downBps: u.downBps, final: u.final }, Date.now());
  });

  useEffect(() => {
    store.tick(Date.now());
    const timer = setInterval(() => store.tick(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [store]);

  const [value] = useState(() => ({ store, from }));
  return <TrafficContext.Provider value={value}>{children}</TrafficContext.Provider>;
}

/** The live traffic store; the component re-renders at every tick. */
export function useTraffic(): TrafficStore {
  const context = useContext(TrafficContext);
  if (!context) throw new Error('useTraffic needs a LiveTrafficProvider');
  useSyncExternalStore(context.store.subscribe, context.store.getVersion);
  return context.store;
}

/** The time of the last traffic tick (every 5 s): the "now" that durations and "ago" figures are drawn with. */
export function useClock(): number {
  return useTraffic().clock;
}

/** The aggregate history the provider loaded (the same query, from the cache). */
export function useAggregateHistory() {
  const context = useContext(TrafficContext);
  if (!context) throw new Error('useAggregateHistory needs a LiveTrafficProvider');
  const { from } = context;
  return useGraphQLQuery(AggregateTrafficQuery, { from, stepSeconds: HISTORY_STEP_SECONDS });
}
