import { gql } from '../../graphql/document';
import type {
  BngHealthSample,
  DateTime,
  EventFilter,
  LiveEvent,
  PageInfo,
  SessionFilter,
  SessionHistoryFilter,
  SessionSortField,
  SortDirection,
} from '../../graphql/types';
import { EVENT_FIELDS } from '../../live/operations';

export interface ActiveSessionRow {
  readonly id: string;
  readonly bngId: string;
  readonly instanceId: string;
  readonly ip: string;
  readonly mac: string;
  readonly circuitId: string;
  readonly remoteId: string;
  readonly relayId: string | null;
  readonly username: string | null;
  readonly downloadKbps: number;
  readonly uploadKbps: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly packetsUp: number;
  readonly packetsDown: number;
  readonly started: DateTime;
  readonly updatedAt: DateTime;
  readonly state: string;
  readonly traffic: { readonly upBps: number; readonly downBps: number };
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly email: string;
    readonly phone: string | null;
    readonly address: string | null;
  } | null;
  readonly service: {
    readonly id: string;
    readonly status: string;
    readonly plan: { readonly id: string; readonly name: string; readonly downloadKbps: number; readonly uploadKbps: number };
  } | null;
}

export interface ActiveSessionsVariables {
  first: number;
  after: string | null;
  filter: SessionFilter;
  orderBy: { field: SessionSortField; direction: SortDirection } | null;
}

export const ActiveSessionsQuery = gql<
  { sessions: { totalCount: number; pageInfo: PageInfo; nodes: ActiveSessionRow[] } },
  ActiveSessionsVariables
>(`
query ActiveSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {
  sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id bngId instanceId ip mac circuitId remoteId relayId username
      downloadKbps uploadKbps bytesUp bytesDown packetsUp packetsDown started updatedAt state
      traffic { upBps downBps }
      customer { id name email phone address }
      service { id status plan { id name downloadKbps uploadKbps } }
    }
  }
}`);

export const SessionCountQuery = gql<{ sessions: { totalCount: number } }>(`
query SessionCount {
  sessions(first: 1) { totalCount }
}`);

export interface BngCard {
  readonly id: string;
  readonly instanceId: string;
  readonly firstSeen: DateTime;
  readonly lastSeen: DateTime;
  readonly activeSessions: number;
  readonly health: BngHealthSample | null;
  readonly healthSeries: BngHealthSample[];
  readonly accessRouters: { readonly id: string; readonly state: string }[];
}

export interface AgentRow {
  readonly bngId: string;
  readonly instanceId: string;
  readonly peer: string;
  readonly connected: DateTime;
  readonly sessionCount: number;
}

export const BngHealthCardsQuery = gql<{ bngs: BngCard[]; agents: AgentRow[] }, { from: DateTime }>(`
query BngHealthCards($from: DateTime) {
  bngs {
    id instanceId firstSeen lastSeen activeSessions
    health { time cpuPercent memoryBytes memoryLimitBytes sessionCount }
    healthSeries(from: $from) { time cpuPercent memoryBytes memoryLimitBytes sessionCount }
    accessRouters { id state }
  }
  agents { bngId instanceId peer connected sessionCount }
}`);

export interface HistoricSessionRow {
  readonly id: string;
  readonly bngId: string;
  readonly mac: string;
  readonly ip: string;
  readonly circuitId: string;
  readonly remoteId: string;
  readonly relayId: string | null;
  readonly username: string | null;
  readonly downloadKbps: number;
  readonly uploadKbps: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly started: DateTime;
  readonly stopped: DateTime;
  readonly cause: string | null;
  readonly customer: { readonly id: string; readonly name: string } | null;
}

export const SessionHistoryQuery = gql<
  { sessionHistory: { totalCount: number; pageInfo: PageInfo; nodes: HistoricSessionRow[] } },
  { first: number; after: string | null; filter: SessionHistoryFilter }
>(`
query SessionHistory($first: Int, $after: String, $filter: SessionHistoryFilter) {
  sessionHistory(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id bngId mac ip circuitId remoteId relayId username downloadKbps uploadKbps bytesUp bytesDown
      started stopped cause
      customer { id name }
    }
  }
}`);

export const EventsQuery = gql<
  { events: { pageInfo: PageInfo; nodes: LiveEvent[] } },
  { first: number; after: string | null; filter: EventFilter }
>(`
query Events($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes {${EVENT_FIELDS}}
  }
}`);
