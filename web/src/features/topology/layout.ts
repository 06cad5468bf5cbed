import type { TopologyData, TopologySession } from './operations';

// A left-to-right drawing: BNGs, then the access relays behind each, then each relay's subscribers as a grid of
// dots. Relays are stacked under their BNG, and each BNG sits level with the middle of its relays.

export const WIDTH = 1160;
const BNG_X = 40;
const BNG_W = 220;
const RELAY_X = 360;
const RELAY_W = 200;
const SUB_X = 620;
const DOT_GAP = 22;
export const DOTS_PER_ROW = 20;
export const MAX_DOTS_PER_RELAY = 60;
const RELAY_H = 56;
const GAP = 18;
const BNG_H = 96;

export const DIRECT = '(no relay)';

export interface BngNode {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly connected: boolean;
  readonly sessions: number;
  readonly cpuPercent: number | null;
  readonly memoryPercent: number | null;
}

export interface RelayNode {
  readonly key: string;
  readonly id: string;
  readonly bngId: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly state: string;
  readonly giaddr: string | null;
  readonly subscribers: number;
  /** The count is a lower bound: the BNG has more sessions than were fetched. */
  readonly partial: boolean;
}

export interface SubscriberDot {
  readonly session: TopologySession;
  readonly x: number;
  readonly y: number;
}

export interface MoreLabel {
  readonly relayKey: string;
  readonly x: number;
  readonly y: number;
  readonly count: number;
}

export interface Edge {
  readonly from: { x: number; y: number };
  readonly to: { x: number; y: number };
  readonly kind: 'bng-relay' | 'relay-sub';
}

export interface TopologyLayout {
  readonly bngs: BngNode[];
  readonly relays: RelayNode[];
  readonly dots: SubscriberDot[];
  readonly more: MoreLabel[];
  readonly edges: Edge[];
  readonly height: number;
}

export function layoutTopology(data: TopologyData): TopologyLayout {
  const connected = new Set(data.agents.map((a) => a.bngId));
  const bngIds = new Set<string>([...data.bngs.map((b) => b.id), ...data.agents.map((a) => a.bngId), ...data.sessions.nodes.map((s) => s.bngId)]);

  // Relays per BNG: those the BNG reported, and any a session names that it did not.
  const relaysByBng = new Map<string, Map<string, { id: string; state: string; giaddr: string | null; sessions: TopologySession[] }>>();
  const relaysOf = (bngId: string) => {
    let m = relaysByBng.get(bngId);
    if (!m) {
      m = new Map();
      relaysByBng.set(bngId, m);
    }
    return m;
  };
  for (const bng of data.bngs) {
    for (const r of bng.accessRouters) relaysOf(bng.id).set(r.id, { id: r.id, state: r.state, giaddr: r.giaddr, sessions: [] });
  }
  for (const s of data.sessions.nodes) {
    const relayId = s.relayId ?? DIRECT;
    const relays = relaysOf(s.bngId);
    let relay = relays.get(relayId);
    if (!relay) {
      relay = { id: relayId, state: relayId === DIRECT ? 'DIRECT' : 'UNKNOWN', giaddr: null, sessions: [] };
      relays.set(relayId, relay);
    }
    relay.sessions.push(s);
  }

  const bngs: BngNode[] = [];
  const relays: RelayNode[] = [];
  const dots: SubscriberDot[] = [];
  const more: MoreLabel[] = [];
  const edges: Edge[] = [];
  let y = GAP;
  for (const bngId of [...bngIds].sort()) {
    const top = y;
    const relayList = [...(relaysByBng.get(bngId)?.values() ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    const relayCenters: number[] = [];
    for (const relay of relayList) {
      const shown = relay.sessions.slice(0, MAX_DOTS_PER_RELAY);
      const rows = Math.max(1, Math.ceil(shown.length / DOTS_PER_ROW));
      const h = Math.max(RELAY_H, rows * DOT_GAP + 12);
      const key = `${bngId}/${relay.id}`;
      const node: RelayNode = {
        key,
        id: relay.id,
        bngId,
        x: RELAY_X,
        y,
        w: RELAY_W,
        h: RELAY_H,
        state: relay.state,
        giaddr: relay.giaddr,
        subscribers: relay.sessions.length,
        partial: data.truncated.has(bngId),
      };
      relays.push(node);
      const cy = y + RELAY_H / 2;
      relayCenters.push(cy);
      shown.forEach((session, i) => {
        const dot = { session, x: SUB_X + (i % DOTS_PER_ROW) * DOT_GAP + 8, y: y + 14 + Math.floor(i / DOTS_PER_ROW) * DOT_GAP };
        dots.push(dot);
        // One line from the relay to each row of its subscribers, running on along the row.
        if (i % DOTS_PER_ROW === 0) {
          const rowEnd = SUB_X + (Math.min(DOTS_PER_ROW, shown.length - i) - 1) * DOT_GAP + 8;
          edges.push({ from: { x: RELAY_X + RELAY_W, y: cy }, to: { x: dot.x, y: dot.y }, kind: 'relay-sub' });
          if (rowEnd > dot.x) edges.push({ from: { x: dot.x, y: dot.y }, to: { x: rowEnd, y: dot.y }, kind: 'relay-sub' });
        }
      });
      if (relay.sessions.length > shown.length) {
        more.push({ relayKey: key, x: SUB_X + DOTS_PER_ROW * DOT_GAP + 8, y: y + 18, count: relay.sessions.length - shown.length });
      }
      y += h + GAP;
    }
    const bngHeight = Math.max(BNG_H, y - top - GAP);
    // A BNG taller than its relays' stack pushes the next BNG down.
    y = Math.max(y, top + BNG_H + GAP);
    const mid = relayCenters.length > 0 ? ((relayCenters[0] ?? 0) + (relayCenters.at(-1) ?? 0)) / 2 : top + BNG_H / 2;
    const bngY = Math.max(top, Math.min(mid - BNG_H / 2, top + bngHeight - BNG_H));
    const bng = data.bngs.find((b) => b.id === bngId);
    const health = bng?.health ?? null;
    bngs.push({
      id: bngId,
      x: BNG_X,
      y: bngY,
      w: BNG_W,
      h: BNG_H,
      connected: connected.has(bngId),
      sessions: bng?.activeSessions ?? data.agents.find((a) => a.bngId === bngId)?.sessionCount ?? 0,
      cpuPercent: health?.cpuPercent ?? null,
      memoryPercent: health && health.memoryLimitBytes > 0 ? (health.memoryBytes / health.memoryLimitBytes) * 100 : null,
    });
    for (const cy of relayCenters) edges.push({ from: { x: BNG_X + BNG_W, y: bngY + BNG_H / 2 }, to: { x: RELAY_X, y: cy }, kind: 'bng-relay' });
    y += GAP;
  }
  return { bngs, relays, dots, more, edges, height: Math.max(y, 200) };
}
