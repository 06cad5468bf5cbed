import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { useMemo, useReducer } from 'react';
import { Link } from 'react-router-dom';
import { Empty, ErrorState, Loading } from '../../components/StateViews';
import { useGraphQLQuery, useGraphQLSubscription, useThrottledInvalidate } from '../../graphql/hooks';
import type { SessionHistoryFilter } from '../../graphql/types';
import { formatBytes, formatCount, formatDuration, formatMac, formatTimestamp, toMillis } from '../../lib/format';
import { currentCursor, firstRowNumber, initialTableState, pageIndex, pagedTableReducer } from '../../lib/tableState';
import { SessionEventsSubscription } from '../../live/operations';
import { SessionHistoryQuery, type HistoricSessionRow } from './operations';
import { TextFilter } from './SessionsTable';

const columns: ColumnDef<HistoricSessionRow>[] = [
  { id: 'ip', header: 'IP', cell: ({ row }) => <span className="mono">{row.original.ip}</span> },
  { id: 'mac', header: 'MAC', cell: ({ row }) => <span className="mono">{formatMac(row.original.mac)}</span> },
  {
    id: 'customer',
    header: 'Customer',
    cell: ({ row }) =>
      row.original.customer ? <Link to={`/customers/${row.original.customer.id}`}>{row.original.customer.name}</Link> : <span className="muted">{row.original.username ?? '—'}</span>,
  },
  { id: 'bng', header: 'BNG', cell: ({ row }) => row.original.bngId },
  { id: 'circuit', header: 'Circuit / remote', cell: ({ row }) => <span className="mono small">{`${row.original.circuitId} / ${row.original.remoteId}`}</span> },
  { id: 'started', header: 'Started', cell: ({ row }) => <span className="nowrap">{formatTimestamp(row.original.started)}</span> },
  { id: 'stopped', header: 'Stopped', cell: ({ row }) => <span className="nowrap">{formatTimestamp(row.original.stopped)}</span> },
  {
    id: 'duration',
    header: 'Duration',
    cell: ({ row }) => formatDuration(((toMillis(row.original.stopped) ?? 0) - (toMillis(row.original.started) ?? 0)) / 1000),
  },
  { id: 'down', header: 'Down', cell: ({ row }) => formatBytes(row.original.bytesDown) },
  { id: 'up', header: 'Up', cell: ({ row }) => formatBytes(row.original.bytesUp) },
  { id: 'cause', header: 'Cause', cell: ({ row }) => row.original.cause ?? '—' },
];

/** Finished sessions, most recently stopped first; a stop anywhere refetches the first page. */
export function HistoryTab({ bngIds }: { bngIds: readonly string[] }) {
  const [state, dispatch] = useReducer(pagedTableReducer, undefined, () => initialTableState());
  const filter: SessionHistoryFilter = {};
  for (const id of ['bngId', 'ip', 'mac'] as const) {
    const value = state.filters[id];
    if (value) filter[id] = value;
  }
  const from = state.filters.from ? new Date(state.filters.from).toISOString() : undefined;
  if (from) filter.from = from;
  const query = useGraphQLQuery(SessionHistoryQuery, { first: state.pageSize, after: currentCursor(state), filter }, { placeholderData: (p) => p });
  const refetchSoon = useThrottledInvalidate([SessionHistoryQuery], 2000);
  useGraphQLSubscription(SessionEventsSubscription, { types: ['SESSION_STOP'] }, () => {
    if (pageIndex(state) === 0) refetchSoon();
  });
  const rows = useMemo(() => query.data?.sessionHistory.nodes ?? [], [query.data]);
  const table = useReactTable({ data: rows, columns, getRowId: (r) => r.id, getCoreRowModel: getCoreRowModel() });
  const pageInfo = query.data?.sessionHistory.pageInfo;
  const first = firstRowNumber(state);

  return (
    <div className="table-panel" data-testid="history-table">
      <div className="filters" role="search">
        <TextFilter label="IP" value={state.filters.ip ?? ''} onChange={(v) => dispatch({ type: 'filter', id: 'ip', value: v })} />
        <TextFilter label="MAC" value={state.filters.mac ?? ''} onChange={(v) => dispatch({ type: 'filter', id: 'mac', value: v })} />
        <label className="inline">
          BNG
          <select value={state.filters.bngId ?? ''} onChange={(e) => dispatch({ type: 'filter', id: 'bngId', value: e.target.value })}>
            <option value="">all</option>
            {bngIds.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          Stopped since
          <input type="datetime-local" value={state.filters.from ?? ''} onChange={(e) => dispatch({ type: 'filter', id: 'from', value: e.target.value })} />
        </label>
      </div>
      {query.error && !query.data ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : !query.data ? (
        <Loading label="Loading history…" />
      ) : rows.length === 0 ? (
        <Empty title="No finished session matches.">Sessions move here when they stop.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                {table.getFlatHeaders().map((h) => (
                  <th key={h.id}>{flexRender(h.column.columnDef.header, h.getContext())}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <span className="muted">
          {rows.length > 0
            ? `${formatCount(first)}–${formatCount(first + rows.length - 1)} of ${formatCount(query.data?.sessionHistory.totalCount ?? 0)}`
            : ''}
        </span>
        <button type="button" className="btn btn-small" disabled={pageIndex(state) === 0} onClick={() => dispatch({ type: 'previous' })}>
          Previous
        </button>
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
