import { gql } from '../../graphql/document';
import type { DateTime } from '../../graphql/types';

export interface TopologyNetwork {
  readonly bngs: {
    readonly id: string;
    readonly instanceId: string;
    readonly lastSeen: DateTime;
    readonly activeSessions: number;
    readonly health: { readonly cpuPercent: number; readonly memoryBytes: number; readonly memoryLimitBytes: number } | null;
    readonly accessRouters: TopologyRouter[];
  }[];
  readonly agents: { readonly bngId: string; readonly peer: string; readonly sessionCount: number }[];
}

/** The network and, per BNG, the sessions drawn (the first of them, when a BNG has more than are drawn). */
export interface TopologyData extends TopologyNetwork {
  readonly sessions: { readonly totalCount: number; readonly nodes: TopologySession[] };
  /** BNGs with more sessions than were fetched: their relays' counts are lower bounds. */
  readonly truncated: ReadonlySet<string>;
}

export interface TopologyRouter {
  readonly id: string;
  readonly giaddr: string | null;
  readonly bngId: string;
  readonly state: string;
}

export interface TopologySession {
  readonly id: string;
  readonly bngId: string;
  readonly relayId: string | null;
  readonly circuitId: string;
  readonly ip: string;
  readonly state: string;
  readonly downloadKbps: number;
  readonly customer: { readonly id: string; readonly name: string } | null;
}

/** The subscribers drawn: at most this many sessions in all, shared between the BNGs. */
export const TOPOLOGY_SESSION_LIMIT = 500;

export const TopologyQuery = gql<TopologyNetwork>(`
query Topology {
  bngs {
    id instanceId lastSeen activeSessions
    health { cpuPercent memoryBytes memoryLimitBytes }
    accessRouters { id giaddr bngId state }
  }
  agents { bngId peer sessionCount }
}`);

export const TopologySessionsQuery = gql<
  { sessions: { totalCount: number; nodes: TopologySession[] } },
  { bngId: string; first: number }
>(`
query TopologySessions($bngId: String, $first: Int) {
  sessions(first: $first, filter: { bngId: $bngId }, orderBy: { field: CIRCUIT_ID, direction: ASC }) {
    totalCount
    nodes { id bngId relayId circuitId ip state downloadKbps customer { id name } }
  }
}`);

/** Each BNG's share of the sessions drawn. */
export function sessionsPerBng(bngCount: number): number {
  return Math.max(50, Math.min(500, Math.floor(TOPOLOGY_SESSION_LIMIT / Math.max(1, bngCount))));
}
