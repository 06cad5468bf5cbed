import { describe, expect, it } from 'vitest';
import {
  currentCursor,
  firstRowNumber,
  initialTableState,
  pageIndex,
  pagedTableReducer,
  tableStateFromSearch,
  tableStateToSearch,
  type PagedTableAction,
  type PagedTableState,
} from './tableState';

const apply = (state: PagedTableState, ...actions: PagedTableAction[]) => actions.reduce(pagedTableReducer, state);

describe('pagedTableReducer', () => {
  it('walks forward and back through cursor pages', () => {
    const s = apply(initialTableState(), { type: 'next', endCursor: 'c1' }, { type: 'next', endCursor: 'c2' });
    expect(pageIndex(s)).toBe(2);
    expect(currentCursor(s)).toBe('c2');
    expect(firstRowNumber(s)).toBe(101);
    const back = apply(s, { type: 'previous' });
    expect(currentCursor(back)).toBe('c1');
    expect(currentCursor(apply(back, { type: 'previous' }, { type: 'previous' }))).toBeNull();
    expect(pageIndex(apply(s, { type: 'first' }))).toBe(0);
  });

  it('does not stack the same cursor twice (a double click on Next)', () => {
    const s = apply(initialTableState(), { type: 'next', endCursor: 'c1' }, { type: 'next', endCursor: 'c1' });
    expect(s.cursors).toEqual([null, 'c1']);
  });

  it('goes back to the first page when the sort, a filter or the page size changes', () => {
    const paged = apply(initialTableState(), { type: 'next', endCursor: 'c1' });
    expect(pageIndex(apply(paged, { type: 'sort', sort: { id: 'ip', desc: false } }))).toBe(0);
    expect(pageIndex(apply(paged, { type: 'filter', id: 'ip', value: '100.64' }))).toBe(0);
    expect(pageIndex(apply(paged, { type: 'pageSize', pageSize: 100 }))).toBe(0);
  });

  it('trims filters, drops empty ones and keeps the state when nothing changed', () => {
    const s = apply(initialTableState(), { type: 'filter', id: 'mac', value: '  02:ae ' });
    expect(s.filters).toEqual({ mac: '02:ae' });
    expect(apply(s, { type: 'filter', id: 'mac', value: '02:ae' })).toBe(s);
    expect(apply(s, { type: 'filter', id: 'mac', value: '' }).filters).toEqual({});
    expect(apply(s, { type: 'clearFilters' }).filters).toEqual({});
    const clean = initialTableState();
    expect(apply(clean, { type: 'clearFilters' })).toBe(clean);
  });

  it('accepts only the offered page sizes', () => {
    const s = initialTableState();
    expect(apply(s, { type: 'pageSize', pageSize: 7 })).toBe(s);
    expect(apply(s, { type: 'pageSize', pageSize: 500 }).pageSize).toBe(500);
  });
});

describe('the table state in the URL', () => {
  const filters = ['bngId', 'ip', 'mac', 'state'];
  const sorts = ['started', 'ip'];

  it('round-trips sort, page size and filters but not the cursor', () => {
    const s = apply(
      initialTableState(),
      { type: 'sort', sort: { id: 'ip', desc: true } },
      { type: 'pageSize', pageSize: 100 },
      { type: 'filter', id: 'bngId', value: 'bng-2' },
      { type: 'next', endCursor: 'c1' },
    );
    const params = tableStateToSearch(s, filters);
    expect(params.toString()).toBe('sort=ip.desc&size=100&bngId=bng-2');
    const back = tableStateFromSearch(params, filters, sorts);
    expect(back).toEqual({ ...s, cursors: [null] });
  });

  it('ignores what it does not know and keeps the defaults', () => {
    const params = new URLSearchParams('sort=password.asc&size=7&evil=1&ip=%20');
    expect(tableStateFromSearch(params, filters, sorts, { sort: { id: 'started', desc: true } })).toEqual(
      initialTableState({ sort: { id: 'started', desc: true } }),
    );
  });
});
