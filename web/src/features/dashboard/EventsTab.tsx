import { useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { Badge, type BadgeTone } from '../../components/ui';
import { useApi, useGraphQLSubscription } from '../../graphql/hooks';
import { graphqlRequest } from '../../graphql/request';
import { EVENT_TYPES, type EventFilter, type LiveEvent, type PageInfo } from '../../graphql/types';
import { formatBytes, formatKbps, formatMemory, formatPercent, formatTimestamp } from '../../lib/format';
import { SessionEventsSubscription } from '../../live/operations';
import { EventsQuery } from './operations';
import { TextFilter } from './SessionsTable';

interface Page {
  events: { pageInfo: PageInfo; nodes: LiveEvent[] };
}

const DEFAULT_TYPES = ['SESSION_START', 'SESSION_STOP', 'POLICY_APPLY', 'ROUTER_UPDATE'];
const LIVE_LIMIT = 500;

const typeTone: Record<string, BadgeTone> = {
  SESSION_START: 'ok',
  SESSION_STOP: 'warn',
  POLICY_APPLY: 'info',
  SESSION_UPDATE: 'muted',
  ROUTER_UPDATE: 'info',
  BNG_HEALTH_UPDATE: 'muted',
};

export function eventKey(e: Pick<LiveEvent, 'bngId' | 'instanceId' | 'seq'>): string {
  return `${e.bngId}/${e.instanceId}/${e.seq}`;
}

/** Prepends a live event to the first page unless it is there already (a refetch may have brought it). */
export function prependEvent(data: InfiniteData<Page, string | null>, event: LiveEvent, limit = LIVE_LIMIT): InfiniteData<Page, string | null> {
  const [first, ...rest] = data.pages;
  if (!first) return data;
  const key = eventKey(event);
  if (data.pages.some((p) => p.events.nodes.some((n) => eventKey(n) === key))) return data;
  const nodes = [event, ...first.events.nodes].slice(0, limit);
  return { ...data, pages: [{ events: { ...first.events, nodes } }, ...rest] };
}

/** One line saying what an event carried. */
export function describeEvent(e: LiveEvent): string {
  switch (e.type) {
    case 'SESSION_START':
      return e.session ? `${e.session.ip} ${e.session.mac} on ${e.session.circuitId}, ${formatKbps(e.session.downloadKbps)} down` : 'session started';
    case 'SESSION_STOP':
      return `stopped${e.cause ? ` (${e.cause})` : ''}${e.counters ? `, ${formatBytes(e.counters.bytesDown)} down, ${formatBytes(e.counters.bytesUp)} up` : ''}`;
    case 'SESSION_UPDATE':
      return e.counters ? `${formatBytes(e.counters.bytesDown)} down, ${formatBytes(e.counters.bytesUp)} up` : 'counters';
    case 'POLICY_APPLY':
      return e.session ? `rate ${formatKbps(e.session.downloadKbps)} down / ${formatKbps(e.session.uploadKbps)} up` : 'policy applied';
    case 'ROUTER_UPDATE':
      return e.router ? `relay ${e.router.routerId} ${e.router.state}${e.router.giaddr ? ` (${e.router.giaddr})` : ''}` : 'relay update';
    case 'BNG_HEALTH_UPDATE':
      return e.health ? `CPU ${formatPercent(e.health.cpuPercent)}, memory ${formatMemory(e.health.memoryBytes)}, ${e.health.sessionCount} sessions` : 'health';
    default:
      return '';
  }
}

/** The event log, newest first, with new events arriving at the top while it is live. */
export function EventsTab({ bngIds, sessionId: fixedSession }: { bngIds: readonly string[]; sessionId?: string }) {
  const { apiKey } = useApi();
  const queryClient = useQueryClient();
  const [types, setTypes] = useState<string[]>(DEFAULT_TYPES);
  const [bngId, setBngId] = useState('');
  const [sessionId, setSessionId] = useState(fixedSession ?? '');
  const [paused, setPaused] = useState(false);

  const filter: EventFilter = { types };
  if (bngId) filter.bngId = bngId;
  if (sessionId) filter.sessionId = sessionId;
  const key = [EventsQuery.operationName, 'infinite', filter];
  const query = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => graphqlRequest(EventsQuery, { first: 50, after: pageParam, filter }, { apiKey, signal }),
    getNextPageParam: (last: Page) => (last.events.pageInfo.hasNextPage ? last.events.pageInfo.endCursor : null),
    staleTime: Infinity,
  });

  const liveVariables: { types: string[]; bngId?: string; sessionId?: string } = { types };
  if (bngId) liveVariables.bngId = bngId;
  if (sessionId) liveVariables.sessionId = sessionId;
  useGraphQLSubscription(
    SessionEventsSubscription,
    liveVariables,
    ({ sessionEvents }) => {
      queryClient.setQueryData<InfiniteData<Page, string | null>>(key, (data) => (data ? prependEvent(data, sessionEvents) : data));
    },
    !paused && types.length > 0,
  );

  const events = query.data?.pages.flatMap((p) => p.events.nodes) ?? [];
  return (
    <div className="table-panel" data-testid="events-table">
      <div className="filters" role="search">
        <div className="chips" role="group" aria-label="Event types">
          {EVENT_TYPES.map((t) => (
            <label key={t} className={types.includes(t) ? 'chip chip-on' : 'chip'}>
              <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))} />
              {t}
            </label>
          ))}
        </div>
        <label className="inline">
          BNG
          <select value={bngId} onChange={(e) => setBngId(e.target.value)}>
            <option value="">all</option>
            {bngIds.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        {fixedSession ? null : <TextFilter label="Session" value={sessionId} onChange={setSessionId} />}
        <button type="button" className="btn btn-small" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume live' : 'Pause live'}
        </button>
      </div>
      {query.error && !query.data ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : !query.data ? (
        <Loading label="Loading events…" />
      ) : events.length === 0 ? (
        <Empty title={types.length === 0 ? 'Pick an event type.' : 'No event yet.'} />
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Type</th>
                <th>BNG</th>
                <th>Seq</th>
                <th>Session</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={eventKey(e)}>
                  <td className="nowrap">{formatTimestamp(e.time)}</td>
                  <td>
                    <Badge tone={typeTone[e.type] ?? 'muted'}>{e.type}</Badge>
                  </td>
                  <td>{e.bngId}</td>
                  <td className="mono small">{e.seq}</td>
                  <td className="mono small">{e.sessionId ?? '—'}</td>
                  <td className="wrap">{describeEvent(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {query.hasNextPage ? (
        <div className="pager">
          <button type="button" className="btn btn-small" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? 'Loading…' : 'Older events'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
