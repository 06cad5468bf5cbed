// Shapes of the schema's types as the operations select them. Long arrives as a JSON number and DateTime as an
// ISO-8601 string.

export type DateTime = string;

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface TrafficRate {
  readonly upBps: number;
  readonly downBps: number;
  readonly upPps: number;
  readonly downPps: number;
  readonly lastSample: DateTime | null;
}

export type SortDirection = 'ASC' | 'DESC';

export type SessionSortField = 'STARTED' | 'UPDATED_AT' | 'IP' | 'MAC' | 'BNG_ID' | 'CIRCUIT_ID' | 'BYTES_DOWN' | 'BYTES_UP';

export interface SessionFilter {
  bngId?: string;
  customerId?: string;
  state?: string;
  ip?: string;
  mac?: string;
}

export interface SessionHistoryFilter {
  bngId?: string;
  customerId?: string;
  ip?: string;
  mac?: string;
  from?: DateTime;
  to?: DateTime;
}

export interface EventFilter {
  sessionId?: string;
  bngId?: string;
  types?: string[];
  from?: DateTime;
  to?: DateTime;
}

export interface BngHealthSample {
  readonly time: DateTime;
  readonly cpuPercent: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly sessionCount: number;
}

export interface PlanSummary {
  readonly id: string;
  readonly name: string;
  readonly downloadKbps: number;
  readonly uploadKbps: number;
  readonly burstKbps: number | null;
}

export interface LiveEvent {
  readonly type: string;
  readonly bngId: string;
  readonly instanceId: string;
  readonly seq: number;
  readonly time: DateTime;
  readonly sessionId: string | null;
  readonly cause: string | null;
  readonly session: {
    readonly mac: string;
    readonly ip: string;
    readonly circuitId: string;
    readonly remoteId: string;
    readonly relayId: string | null;
    readonly username: string | null;
    readonly downloadKbps: number;
    readonly uploadKbps: number;
  } | null;
  readonly counters: {
    readonly bytesUp: number;
    readonly bytesDown: number;
    readonly packetsUp: number;
    readonly packetsDown: number;
  } | null;
  readonly health: {
    readonly cpuPercent: number;
    readonly memoryBytes: number;
    readonly memoryLimitBytes: number;
    readonly sessionCount: number;
  } | null;
  readonly router: { readonly routerId: string; readonly giaddr: string | null; readonly bngId: string; readonly state: string } | null;
}

export const EVENT_TYPES = [
  'SESSION_START',
  'SESSION_UPDATE',
  'SESSION_STOP',
  'POLICY_APPLY',
  'ROUTER_UPDATE',
  'BNG_HEALTH_UPDATE',
] as const;
