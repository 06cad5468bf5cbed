import type { SessionFilter, SessionSortField } from '../../graphql/types';
import { currentCursor, type PagedTableState } from '../../lib/tableState';
import type { ActiveSessionsVariables } from './operations';

/** Table column ids the server can sort by, and the schema's name for each. */
export const SESSION_SORT_FIELDS: Readonly<Record<string, SessionSortField>> = {
  started: 'STARTED',
  updatedAt: 'UPDATED_AT',
  ip: 'IP',
  mac: 'MAC',
  bngId: 'BNG_ID',
  circuitId: 'CIRCUIT_ID',
  bytesDown: 'BYTES_DOWN',
  bytesUp: 'BYTES_UP',
};

export const SESSION_FILTERS = ['bngId', 'ip', 'mac', 'state', 'customerId'] as const;

export const DEFAULT_SESSION_SORT = { id: 'started', desc: true } as const;

export function sessionVariables(state: PagedTableState): ActiveSessionsVariables {
  const filter: SessionFilter = {};
  for (const id of SESSION_FILTERS) {
    const value = state.filters[id];
    if (value) filter[id] = value;
  }
  const sortField = state.sort ? SESSION_SORT_FIELDS[state.sort.id] : undefined;
  return {
    first: state.pageSize,
    after: currentCursor(state),
    filter,
    orderBy: state.sort && sortField ? { field: sortField, direction: state.sort.desc ? 'DESC' : 'ASC' } : null,
  };
}
