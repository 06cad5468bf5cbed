import { useQueryClient } from '@tanstack/react-query';
import {
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  useReactTable,
  type ColumnDef,
  type ExpandedState,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { Badge, stateTone } from '../../components/ui';
import { useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import { formatAgo, formatBps, formatBytes, formatCount, formatDuration, formatMac, formatRatePair, toMillis } from '../../lib/format';
import {
  PAGE_SIZES,
  firstRowNumber,
  pageIndex,
  pagedTableReducer,
  tableStateFromSearch,
  tableStateToSearch,
  type PagedTableState,
} from '../../lib/tableState';
import { useTraffic } from '../../live/LiveTrafficProvider';
import { SessionEventsSubscription } from '../../live/operations';
import { DisconnectButton } from '../sessions/DisconnectButton';
import { SessionTrafficChart } from '../sessions/SessionTrafficChart';
import { ActiveSessionsQuery, SessionCountQuery, type ActiveSessionRow } from './operations';
import { DEFAULT_SESSION_SORT, SESSION_FILTERS, SESSION_SORT_FIELDS, sessionVariables } from './sessionsTableState';
import { useDebounced } from '../../lib/useDebounced';

const LIFECYCLE_TYPES = ['SESSION_START', 'SESSION_STOP', 'POLICY_APPLY'];

type Patch = Partial<Pick<ActiveSessionRow, 'downloadKbps' | 'uploadKbps' | 'state'>>;

/** The live sessions, paged, sorted and filtered by the server; kept current by lifecycle events. */
export function SessionsTable({ bngIds }: { bngIds: readonly string[] }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const [state, dispatch] = useReducer(pagedTableReducer, undefined, () =>
    tableStateFromSearch(searchParams, SESSION_FILTERS, Object.keys(SESSION_SORT_FIELDS), { sort: DEFAULT_SESSION_SORT }),
  );
  useEffect(() => {
    const next = tableStateToSearch(state, SESSION_FILTERS);
    const tab = searchParams.get('tab');
    if (tab) next.set('tab', tab);
    if (next.toString() !== searchParams.toString()) setSearchParams(next, { replace: true });
  }, [state, searchParams, setSearchParams]);

  const variables = sessionVariables(state);
  const query = useGraphQLQuery(ActiveSessionsQuery, variables, { placeholderData: (previous) => previous });
  const queryClient = useQueryClient();
  const traffic = useTraffic();
  // A start or stop anywhere may change this page. Refetching it is cheap for 50 rows and not for 500: the larger
  // the page, the less often it follows the churn (once a second at 50 rows, every 5 seconds at 500).
  const refetchSoon = useThrottledInvalidate([ActiveSessionsQuery, SessionCountQuery], Math.max(1000, state.pageSize * 10));

  // Counters in the page are a starting point for each row's live average.
  useEffect(() => {
    for (const row of query.data?.sessions.nodes ?? []) {
      const time = toMillis(row.updatedAt);
      if (time !== null) traffic.observe({ sessionId: row.id, time, bytesUp: row.bytesUp, bytesDown: row.bytesDown });
    }
  }, [query.data, traffic]);

  useGraphQLSubscription(SessionEventsSubscription, { types: LIFECYCLE_TYPES }, ({ sessionEvents: event }) => {
    if (!event.sessionId) return;
    let patch: Patch | null = null;
    if (event.type === 'POLICY_APPLY' && event.session) {
      patch = { downloadKbps: event.session.downloadKbps, uploadKbps: event.session.uploadKbps };
    } else if (event.type === 'SESSION_STOP') {
      patch = { state: 'STOPPED' };
    }
    if (patch) patchSession(queryClient, event.sessionId, patch);
    if (event.type !== 'POLICY_APPLY') refetchSoon();
  });

  const [expanded, setExpanded] = useState<ExpandedState>({});
  const sorting: SortingState = state.sort ? [state.sort] : [];
  const columns = useSessionColumns(traffic, query.dataUpdatedAt);
  const rows = query.data?.sessions.nodes;
  const table = useReactTable({
    data: rows ?? emptyRows,
    columns,
    getRowId: (row) => row.id,
    state: { sorting, expanded },
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    enableSortingRemoval: false,
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      dispatch({ type: 'sort', sort: next[0] ?? null });
    },
    onExpandedChange: setExpanded,
    getRowCanExpand: () => true,
    getCoreRowModel: getCoreRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
  });

  const total = query.data?.sessions.totalCount ?? 0;
  const pageInfo = query.data?.sessions.pageInfo;
  const first = firstRowNumber(state);
  const last = first + (rows?.length ?? 0) - 1;

  return (
    <div className="table-panel" data-testid="sessions-table">
      <SessionFilters state={state} bngIds={bngIds} onFilter={(id, value) => dispatch({ type: 'filter', id, value })} onClear={() => dispatch({ type: 'clearFilters' })} />
      {query.error && !rows ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : !rows ? (
        <Loading label="Loading sessions…" />
      ) : rows.length === 0 ? (
        <Empty title={Object.keys(state.filters).length > 0 ? 'No session matches these filters.' : 'No subscriber is online.'}>
          {Object.keys(state.filters).length > 0 ? 'Clear a filter to see more.' : 'Sessions appear here the moment a subscriber gets a lease.'}
        </Empty>
      ) : (
        <SessionRows rows={table.getRowModel().rows} clock={traffic.clock} columnCount={columns.length} fetching={query.isFetching}>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const sortable = header.column.getCanSort();
                    const dir = header.column.getIsSorted();
                    return (
                      <th
                        key={header.id}
                        className={sortable ? 'sortable' : undefined}
                        aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                        onClick={sortable ? header.column.getToggleSortingHandler() : undefined}
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {dir ? <span className="sort-mark">{dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
        </SessionRows>
      )}
      <div className="pager">
        <span className="muted" data-testid="sessions-range">
          {rows && rows.length > 0 ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}` : `${formatCount(total)} sessions`}
        </span>
        <label className="inline">
          Rows
          <select value={state.pageSize} onChange={(e) => dispatch({ type: 'pageSize', pageSize: Number(e.target.value) })}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" disabled={pageIndex(state) === 0} onClick={() => dispatch({ type: 'first' })}>
          First
        </button>
        <button type="button" className="btn btn-small" disabled={pageIndex(state) === 0} onClick={() => dispatch({ type: 'previous' })}>
          Previous
        </button>
        <span className="muted">Page {pageIndex(state) + 1}</span>
        <button
          type="button"
          className="btn btn-small"
          disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
          onClick={() => pageInfo?.endCursor && dispatch({ type: 'next', endCursor: pageInfo.endCursor })}
        >
          Next
        </button>
      </div>
    </div>
  );
}

const emptyRows: ActiveSessionRow[] = [];

/** Pages up to this many rows are drawn whole; larger ones draw only the rows scrolled into view. */
export const VIRTUALIZE_ABOVE = 100;
const ROW_HEIGHT = 52;

/**
 * The table body. A 500-row page would re-render thousands of cells at every traffic tick; above VIRTUALIZE_ABOVE
 * rows only those in view (and a few around them) are in the document, in a scrolling box with a sticky header.
 */
function SessionRows({
  rows,
  clock,
  columnCount,
  fetching,
  children,
}: {
  rows: Row<ActiveSessionRow>[];
  clock: number;
  columnCount: number;
  fetching: boolean;
  children: ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => rows[index]?.id ?? index,
    enabled: virtual,
  });
  const className = fetching ? 'table table-fetching' : 'table';
  if (!virtual) {
    return (
      <div className="table-scroll">
        <table className={className}>
          {children}
          {rows.map((row) => (
            <SessionRow key={row.id} row={row} session={row.original} expanded={row.getIsExpanded()} clock={clock} />
          ))}
        </table>
      </div>
    );
  }
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div className="table-scroll table-virtual" ref={scrollRef} data-testid="sessions-virtual">
      <table className={className}>
        {children}
        {top > 0 ? <Spacer height={top} columns={columnCount} /> : null}
        {items.map((item) => {
          const row = rows[item.index];
          return row ? (
            <SessionRow
              key={row.id}
              row={row}
              session={row.original}
              expanded={row.getIsExpanded()}
              clock={clock}
              index={item.index}
              measure={virtualizer.measureElement}
            />
          ) : null;
        })}
        {bottom > 0 ? <Spacer height={bottom} columns={columnCount} /> : null}
      </table>
    </div>
  );
}

function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tbody aria-hidden="true">
      <tr>
        <td colSpan={columns} style={{ height, padding: 0, border: 0 }} />
      </tr>
    </tbody>
  );
}

/**
 * One session's row. The query cache keeps an unchanged session's object between refetches, so a row renders
 * again only when its session changed, it was expanded or collapsed, or the traffic clock ticked.
 */
const SessionRow = memo(
  function SessionRow({
    row,
    expanded,
    index,
    measure,
  }: {
    row: Row<ActiveSessionRow>;
    session: ActiveSessionRow;
    expanded: boolean;
    clock: number;
    index?: number;
    measure?: (element: Element | null) => void;
  }) {
    // A tbody per session keeps its detail row with it, so the virtualizer measures the two as one item.
    return (
      <tbody ref={measure} data-index={index}>
        <tr className={expanded ? 'row-expanded' : undefined} data-session-id={row.id}>
          {row.getVisibleCells().map((cell) => (
            <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
          ))}
        </tr>
        {expanded ? (
          <tr className="row-detail">
            <td colSpan={row.getVisibleCells().length}>
              <SessionDetail session={row.original} />
            </td>
          </tr>
        ) : null}
      </tbody>
    );
  },
  (a, b) => a.session === b.session && a.expanded === b.expanded && a.clock === b.clock && a.index === b.index && a.measure === b.measure,
);

/** Applies a change from an event to the row wherever it is cached, before the refetch confirms it. */
function patchSession(queryClient: ReturnType<typeof useQueryClient>, sessionId: string, patch: Patch) {
  queryClient.setQueriesData<{ sessions: { totalCount: number; pageInfo: unknown; nodes: ActiveSessionRow[] } }>(
    { queryKey: [ActiveSessionsQuery.operationName] },
    (data) => {
      if (!data?.sessions.nodes.some((n) => n.id === sessionId)) return data;
      return { ...data, sessions: { ...data.sessions, nodes: data.sessions.nodes.map((n) => (n.id === sessionId ? { ...n, ...patch } : n)) } };
    },
  );
}

function useSessionColumns(traffic: ReturnType<typeof useTraffic>, fetchedAt: number): ColumnDef<ActiveSessionRow>[] {
  return useMemo<ColumnDef<ActiveSessionRow>[]>(
    () => [
      {
        id: 'expand',
        header: '',
        enableSorting: false,
        cell: ({ row }) => (
          <button
            type="button"
            className="expander"
            aria-label={row.getIsExpanded() ? 'Hide details' : 'Show details'}
            aria-expanded={row.getIsExpanded()}
            onClick={row.getToggleExpandedHandler()}
          >
            {row.getIsExpanded() ? '▾' : '▸'}
          </button>
        ),
      },
      {
        id: 'ip',
        accessorKey: 'ip',
        header: 'IP',
        cell: ({ row }) => (
          <>
            <span className="mono">{row.original.ip}</span>
            {row.original.state === 'ACTIVE' ? null : (
              <>
                {' '}
                <Badge tone={stateTone(row.original.state)}>{row.original.state}</Badge>
              </>
            )}
          </>
        ),
      },
      { id: 'mac', accessorKey: 'mac', header: 'MAC', cell: ({ row }) => <span className="mono small">{formatMac(row.original.mac)}</span> },
      {
        id: 'customer',
        header: 'Customer',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.customer ? (
            <Link to={`/customers/${row.original.customer.id}`}>{row.original.customer.name}</Link>
          ) : (
            <span className="muted">{row.original.username ?? 'unknown'}</span>
          ),
      },
      { id: 'bngId', accessorKey: 'bngId', header: 'BNG' },
      {
        id: 'circuitId',
        accessorKey: 'circuitId',
        header: 'Circuit / remote',
        cell: ({ row }) => (
          <div className="mono small stacked" title={`relay ${row.original.relayId ?? '—'}`}>
            <span>{row.original.circuitId}</span>
            <span className="muted">{row.original.remoteId}</span>
          </div>
        ),
      },
      {
        id: 'plan',
        header: 'Plan rate',
        enableSorting: false,
        cell: ({ row }) => (
          <span className="nowrap" data-testid="plan-rate">
            {formatRatePair(row.original.downloadKbps, row.original.uploadKbps)}
          </span>
        ),
      },
      {
        id: 'rate',
        header: 'Traffic, 5 min',
        enableSorting: false,
        cell: ({ row }) => {
          const now = Date.now();
          const avg = traffic.sessionAverage(row.original.id, now, { rate: row.original.traffic, at: fetchedAt || now });
          return (
            <div className="stacked">
              <span className="down">↓ {formatBps(avg.downBps)}</span>
              <span className="up">↑ {formatBps(avg.upBps)}</span>
            </div>
          );
        },
      },
      {
        id: 'bytesDown',
        accessorKey: 'bytesDown',
        header: 'Down',
        cell: ({ row }) => formatBytes(Math.max(row.original.bytesDown, traffic.latestCounters(row.original.id)?.bytesDown ?? 0)),
      },
      {
        id: 'bytesUp',
        accessorKey: 'bytesUp',
        header: 'Up',
        cell: ({ row }) => formatBytes(Math.max(row.original.bytesUp, traffic.latestCounters(row.original.id)?.bytesUp ?? 0)),
      },
      {
        id: 'started',
        accessorKey: 'started',
        header: 'Online for',
        cell: ({ row }) => formatDuration((Date.now() - (toMillis(row.original.started) ?? Date.now())) / 1000),
      },
      {
        id: 'updatedAt',
        accessorKey: 'updatedAt',
        header: 'Updated',
        cell: ({ row }) => {
          const latest = traffic.latestCounters(row.original.id)?.time ?? 0;
          return <span className="muted nowrap">{formatAgo(Math.max(latest, toMillis(row.original.updatedAt) ?? 0))}</span>;
        },
      },
    ],
    // The traffic store is stable; cells read it at every render, and the table re-renders at each tick.
    [traffic, fetchedAt],
  );
}

function SessionFilters({
  state,
  bngIds,
  onFilter,
  onClear,
}: {
  state: PagedTableState;
  bngIds: readonly string[];
  onFilter: (id: string, value: string) => void;
  onClear: () => void;
}) {
  return (
    <div className="filters" role="search">
      <TextFilter label="IP" placeholder="100.64." value={state.filters.ip ?? ''} onChange={(v) => onFilter('ip', v)} />
      <TextFilter label="MAC" placeholder="02:00" value={state.filters.mac ?? ''} onChange={(v) => onFilter('mac', v)} />
      <label className="inline">
        BNG
        <select value={state.filters.bngId ?? ''} onChange={(e) => onFilter('bngId', e.target.value)}>
          <option value="">all</option>
          {bngIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        State
        <select value={state.filters.state ?? ''} onChange={(e) => onFilter('state', e.target.value)}>
          <option value="">any</option>
          <option value="ACTIVE">ACTIVE</option>
          <option value="STOPPED">STOPPED</option>
        </select>
      </label>
      {state.filters.customerId ? (
        <span className="chip">
          customer {state.filters.customerId}
          <button type="button" aria-label="Remove customer filter" onClick={() => onFilter('customerId', '')}>
            ×
          </button>
        </span>
      ) : null}
      {Object.keys(state.filters).length > 0 ? (
        <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

/** A text filter that tells its owner once typing pauses, not at every key. */
export function TextFilter({ label, value, placeholder, onChange }: { label: string; value: string; placeholder?: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  const debounced = useDebounced(text, 300);
  useEffect(() => {
    if (debounced !== value) onChange(debounced);
    // Only a settled edit is reported; the owner's value changing (a clear) is taken below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  return (
    <label className="inline">
      {label}
      <input type="search" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} aria-label={`Filter by ${label}`} />
    </label>
  );
}

function SessionDetail({ session }: { session: ActiveSessionRow }) {
  const c = session.customer;
  return (
    <div className="detail-grid" data-testid="session-detail">
      <div>
        <h3>Customer</h3>
        {c ? (
          <dl className="kv">
            <dt>Name</dt>
            <dd>
              <Link to={`/customers/${c.id}`}>{c.name}</Link>
            </dd>
            <dt>Email</dt>
            <dd>{c.email}</dd>
            <dt>Phone</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>Address</dt>
            <dd>{c.address ?? '—'}</dd>
            <dt>Plan</dt>
            <dd>
              {session.service ? `${session.service.plan.name} (${session.service.status})` : '—'}
            </dd>
          </dl>
        ) : (
          <p className="muted">No customer's service matches User-Name {session.username ?? '(none)'}.</p>
        )}
      </div>
      <div>
        <h3>Subscriber</h3>
        <dl className="kv">
          <dt>Session</dt>
          <dd className="mono small">{session.id}</dd>
          <dt>User-Name</dt>
          <dd className="mono small">{session.username ?? '—'}</dd>
          <dt>Circuit-ID</dt>
          <dd className="mono small">{session.circuitId}</dd>
          <dt>Remote-ID</dt>
          <dd className="mono small">{session.remoteId}</dd>
          <dt>Relay</dt>
          <dd className="mono small">{session.relayId ?? '—'}</dd>
          <dt>BNG</dt>
          <dd>
            {session.bngId} <span className="muted small">({session.instanceId})</span>
          </dd>
          <dt>Packets</dt>
          <dd>
            {formatCount(session.packetsDown)} ↓ {formatCount(session.packetsUp)} ↑
          </dd>
        </dl>
        <DisconnectButton sessionId={session.id} />
      </div>
      <div className="detail-chart">
        <h3>Traffic, last 30 minutes</h3>
        <SessionTrafficChart sessionId={session.id} />
      </div>
    </div>
  );
}
