// State of a server-paged table: sort, filters, page size and the cursors of the pages visited. Cursor paging has
// no page numbers, so going back means remembering the cursor each page was fetched with.

export interface SortState {
  readonly id: string;
  readonly desc: boolean;
}

export type Filters = Readonly<Record<string, string>>;

export interface PagedTableState {
  readonly sort: SortState | null;
  readonly filters: Filters;
  readonly pageSize: number;
  /** after-cursors of the pages visited; the last one fetches the current page (null: the first page). */
  readonly cursors: readonly (string | null)[];
}

export type PagedTableAction =
  | { readonly type: 'sort'; readonly sort: SortState | null }
  | { readonly type: 'filter'; readonly id: string; readonly value: string }
  | { readonly type: 'clearFilters' }
  | { readonly type: 'pageSize'; readonly pageSize: number }
  | { readonly type: 'next'; readonly endCursor: string }
  | { readonly type: 'previous' }
  | { readonly type: 'first' };

export const PAGE_SIZES = [25, 50, 100, 250, 500] as const;

export function initialTableState(overrides: Partial<PagedTableState> = {}): PagedTableState {
  return { sort: null, filters: {}, pageSize: 50, cursors: [null], ...overrides };
}

/** Any change of what the rows are (sort, filter, page size) goes back to the first page. */
export function pagedTableReducer(state: PagedTableState, action: PagedTableAction): PagedTableState {
  switch (action.type) {
    case 'sort':
      return { ...state, sort: action.sort, cursors: [null] };
    case 'filter': {
      const value = action.value.trim();
      const filters: Record<string, string> = Object.fromEntries(Object.entries(state.filters).filter(([id]) => id !== action.id));
      if (value !== '') filters[action.id] = value;
      if ((state.filters[action.id] ?? '') === (filters[action.id] ?? '')) return state;
      return { ...state, filters, cursors: [null] };
    }
    case 'clearFilters':
      return Object.keys(state.filters).length === 0 ? state : { ...state, filters: {}, cursors: [null] };
    case 'pageSize':
      if (!PAGE_SIZES.includes(action.pageSize as (typeof PAGE_SIZES)[number])) return state;
      return { ...state, pageSize: action.pageSize, cursors: [null] };
    case 'next':
      if (state.cursors.at(-1) === action.endCursor) return state;
      return { ...state, cursors: [...state.cursors, action.endCursor] };
    case 'previous':
      return state.cursors.length <= 1 ? state : { ...state, cursors: state.cursors.slice(0, -1) };
    case 'first':
      return state.cursors.length <= 1 ? state : { ...state, cursors: [null] };
  }
}

export function pageIndex(state: PagedTableState): number {
  return state.cursors.length - 1;
}

export function currentCursor(state: PagedTableState): string | null {
  return state.cursors.at(-1) ?? null;
}

/** The first row's number on the current page, counting from 1, given that every earlier page was full. */
export function firstRowNumber(state: PagedTableState): number {
  return pageIndex(state) * state.pageSize + 1;
}

/**
 * The table's state in a URL's query string, so a view can be bookmarked or shared: sort=started.desc,
 * size=100 and one parameter per filter. The page cursor stays out: cursors go stale as sessions come and go.
 */
export function tableStateToSearch(state: PagedTableState, filterIds: readonly string[]): URLSearchParams {
  const params = new URLSearchParams();
  if (state.sort) params.set('sort', `${state.sort.id}.${state.sort.desc ? 'desc' : 'asc'}`);
  if (state.pageSize !== initialTableState().pageSize) params.set('size', state.pageSize.toString());
  for (const id of filterIds) {
    const value = state.filters[id];
    if (value) params.set(id, value);
  }
  return params;
}

export function tableStateFromSearch(
  params: URLSearchParams,
  filterIds: readonly string[],
  sortIds: readonly string[],
  defaults: Partial<PagedTableState> = {},
): PagedTableState {
  let state = initialTableState(defaults);
  const sort = params.get('sort');
  if (sort) {
    const match = /^(.+)\.(asc|desc)$/.exec(sort);
    if (match?.[1] && sortIds.includes(match[1])) state = { ...state, sort: { id: match[1], desc: match[2] === 'desc' } };
  }
  const size = Number(params.get('size'));
  if (PAGE_SIZES.includes(size as (typeof PAGE_SIZES)[number])) state = { ...state, pageSize: size };
  const filters: Record<string, string> = {};
  for (const id of filterIds) {
    const value = params.get(id)?.trim();
    if (value) filters[id] = value;
  }
  return { ...state, filters };
}
