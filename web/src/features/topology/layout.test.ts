import { describe, expect, it } from 'vitest';
import { DIRECT, MAX_DOTS_PER_RELAY, layoutTopology } from './layout';
import { sessionsPerBng, type TopologyData, type TopologySession } from './operations';

function session(i: number, bngId: string, relayId: string | null): TopologySession {
  return { id: `s-${i}`, bngId, relayId, circuitId: `c${i}`, ip: `100.64.0.${i}`, state: 'ACTIVE', downloadKbps: 1000, customer: null };
}

const data: TopologyData = {
  bngs: [
    { id: 'bng-2', instanceId: 'i', lastSeen: '', activeSessions: 1, health: { cpuPercent: 10, memoryBytes: 1, memoryLimitBytes: 4 }, accessRouters: [{ id: 'relay-b1', giaddr: '198.18.11.1', bngId: 'bng-2', state: 'UP' }] },
    { id: 'bng-1', instanceId: 'i', lastSeen: '', activeSessions: 70, health: null, accessRouters: [{ id: 'relay-a1', giaddr: null, bngId: 'bng-1', state: 'UP' }, { id: 'relay-a9', giaddr: null, bngId: 'bng-1', state: 'DOWN' }] },
  ],
  agents: [{ bngId: 'bng-1', peer: 'p', sessionCount: 70 }],
  sessions: {
    totalCount: 72,
    nodes: [...Array.from({ length: 70 }, (_, i) => session(i, 'bng-1', 'relay-a1')), session(70, 'bng-2', null), session(71, 'bng-3', 'relay-c1')],
  },
  truncated: new Set(['bng-1']),
};

describe('layoutTopology', () => {
  const layout = layoutTopology(data);

  it('draws every BNG, from the registry, the agents and the sessions, in order', () => {
    expect(layout.bngs.map((b) => [b.id, b.connected])).toEqual([
      ['bng-1', true],
      ['bng-2', false],
      ['bng-3', false],
    ]);
    expect(layout.bngs[1]?.memoryPercent).toBe(25);
  });

  it('draws reported relays, relays only sessions name, and a node for sessions without a relay', () => {
    expect(layout.relays.map((r) => r.key)).toEqual(['bng-1/relay-a1', 'bng-1/relay-a9', `bng-2/${DIRECT}`, 'bng-2/relay-b1', 'bng-3/relay-c1']);
    expect(layout.relays.find((r) => r.id === 'relay-a1')).toMatchObject({ subscribers: 70, partial: true });
    expect(layout.relays.find((r) => r.id === 'relay-b1')).toMatchObject({ subscribers: 0, partial: false });
  });

  it('caps the dots per relay and counts the rest', () => {
    expect(layout.dots).toHaveLength(MAX_DOTS_PER_RELAY + 2);
    expect(layout.more).toEqual([expect.objectContaining({ relayKey: 'bng-1/relay-a1', count: 70 - MAX_DOTS_PER_RELAY })]);
  });

  it('keeps nodes from overlapping and everything inside the drawing', () => {
    const boxes = [...layout.bngs, ...layout.relays].map((n) => ({ ...n, kind: 'x' in n ? n.x : 0 }));
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b || a.x !== b.x) continue;
        expect(a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
      }
      expect(a.y + a.h).toBeLessThanOrEqual(layout.height);
    }
    for (const d of layout.dots) expect(d.y).toBeLessThan(layout.height);
  });

  it('shares the sessions drawn between the BNGs', () => {
    expect(sessionsPerBng(2)).toBe(250);
    expect(sessionsPerBng(0)).toBe(500);
    expect(sessionsPerBng(40)).toBe(50);
  });

  it('is empty but drawable with no data', () => {
    const empty = layoutTopology({ bngs: [], agents: [], sessions: { totalCount: 0, nodes: [] }, truncated: new Set() });
    expect(empty.bngs).toEqual([]);
    expect(empty.height).toBeGreaterThan(0);
  });
});
