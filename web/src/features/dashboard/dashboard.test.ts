import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { LiveEvent, PageInfo } from '../../graphql/types';
import { initialTableState, pagedTableReducer } from '../../lib/tableState';
import { applyHealthReport, HEALTH_WINDOW_MS } from './BngHealthCards';
import { describeEvent, eventKey, prependEvent } from './EventsTab';
import type { BngCard } from './operations';
import { sessionVariables } from './sessionsTableState';
import { mergeTrafficPoints } from './TrafficPanel';

describe('sessionVariables', () => {
  it('maps the table state to the sessions query', () => {
    let s = initialTableState({ sort: { id: 'bytesDown', desc: true } });
    s = pagedTableReducer(s, { type: 'filter', id: 'bngId', value: 'bng-2' });
    s = pagedTableReducer(s, { type: 'filter', id: 'ip', value: '100.64.1' });
    s = pagedTableReducer(s, { type: 'next', endCursor: 'abc' });
    expect(sessionVariables(s)).toEqual({
      first: 50,
      after: 'abc',
      filter: { bngId: 'bng-2', ip: '100.64.1' },
      orderBy: { field: 'BYTES_DOWN', direction: 'DESC' },
    });
  });

  it('leaves the order to the server for a column it cannot sort by', () => {
    expect(sessionVariables(initialTableState({ sort: { id: 'customer', desc: false } })).orderBy).toBeNull();
  });
});

describe('applyHealthReport', () => {
  const now = Date.parse('2025-11-25T12:00:00Z');
  const card: BngCard = {
    id: 'bng-1',
    instanceId: 'i1',
    firstSeen: '2025-11-25T10:00:00Z',
    lastSeen: '2025-11-25T11:59:55Z',
    activeSessions: 10,
    health: null,
    healthSeries: [
      { time: new Date(now - HEALTH_WINDOW_MS - 1000).toISOString(), cpuPercent: 1, memoryBytes: 1, memoryLimitBytes: 2, sessionCount: 9 },
      { time: new Date(now - 5000).toISOString(), cpuPercent: 2, memoryBytes: 1, memoryLimitBytes: 2, sessionCount: 10 },
    ],
    accessRouters: [],
  };
  const report = { bngId: 'bng-1', instanceId: 'i2', time: new Date(now).toISOString(), cpuPercent: 30, memoryBytes: 5, memoryLimitBytes: 10, sessionCount: 12 };

  it('updates the card, appends the point and drops points older than the window', () => {
    const next = applyHealthReport({ bngs: [card], agents: [] }, report, now);
    const bng = next.bngs[0];
    expect(bng?.health?.cpuPercent).toBe(30);
    expect(bng?.instanceId).toBe('i2');
    expect(bng?.activeSessions).toBe(12);
    expect(bng?.healthSeries.map((p) => p.cpuPercent)).toEqual([2, 30]);
  });

  it('adds a card for a BNG reporting for the first time', () => {
    const next = applyHealthReport({ bngs: [card], agents: [] }, { ...report, bngId: 'bng-3' }, now);
    expect(next.bngs.map((b) => b.id)).toEqual(['bng-1', 'bng-3']);
  });
});

describe('the events tab', () => {
  const ev = (seq: number, type = 'SESSION_START'): LiveEvent => ({
    type,
    bngId: 'bng-1',
    instanceId: 'i1',
    seq,
    time: '2025-11-25T12:00:00Z',
    sessionId: 's-1',
    cause: type === 'SESSION_STOP' ? 'Admin-Reset' : null,
    session: { mac: '02:ae:00:00:00:01', ip: '100.64.0.1', circuitId: 'eth0/1/1', remoteId: 'r', relayId: null, username: null, downloadKbps: 50_000, uploadKbps: 10_000 },
    counters: type === 'SESSION_STOP' ? { bytesUp: 1000, bytesDown: 2_000_000, packetsUp: 1, packetsDown: 2 } : null,
    health: null,
    router: null,
  });
  const pageOf = (nodes: LiveEvent[]): { events: { pageInfo: PageInfo; nodes: LiveEvent[] } } => ({ events: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } });

  it('prepends a live event once, and caps the first page', () => {
    const data: InfiniteData<ReturnType<typeof pageOf>, string | null> = { pages: [pageOf([ev(2), ev(1)])], pageParams: [null] };
    const next = prependEvent(data, ev(3));
    expect(next.pages[0]?.events.nodes.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(prependEvent(next, ev(3))).toBe(next);
    expect(prependEvent(next, ev(4), 2).pages[0]?.events.nodes.map((e) => e.seq)).toEqual([4, 3]);
    expect(eventKey(ev(9))).toBe('bng-1/i1/9');
  });

  it('describes events in a line', () => {
    expect(describeEvent(ev(1))).toBe('100.64.0.1 02:ae:00:00:00:01 on eth0/1/1, 50 Mbps down');
    expect(describeEvent(ev(1, 'SESSION_STOP'))).toBe('stopped (Admin-Reset), 2 MB down, 1 kB up');
    expect(describeEvent(ev(1, 'POLICY_APPLY'))).toBe('rate 50 Mbps down / 10 Mbps up');
  });
});

describe('mergeTrafficPoints', () => {
  it('appends only the live points newer than the history', () => {
    const history = [
      { time: '1970-01-01T00:00:10Z', upBps: 1, downBps: 2, upBpsAvg5m: 3, downBpsAvg5m: 4 },
      { time: '1970-01-01T00:00:20Z', upBps: 1, downBps: 2, upBpsAvg5m: 3, downBpsAvg5m: 4 },
    ];
    const live = [15_000, 20_000, 25_000].map((time) => ({ time, upBps: 9, downBps: 9, upAvg5m: 9, downAvg5m: 9 }));
    expect(mergeTrafficPoints(history, live).map((p) => p.time)).toEqual([10_000, 20_000, 25_000]);
  });
});
