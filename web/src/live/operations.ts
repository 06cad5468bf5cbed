import { gql } from '../graphql/document';
import type { DateTime, LiveEvent } from '../graphql/types';

export const EVENT_FIELDS = `
  type bngId instanceId seq time sessionId cause
  session { mac ip circuitId remoteId relayId username downloadKbps uploadKbps }
  counters { bytesUp bytesDown packetsUp packetsDown }
  health { cpuPercent memoryBytes memoryLimitBytes sessionCount }
  router { routerId giaddr bngId state }
`;

export const SessionEventsSubscription = gql<
  { sessionEvents: LiveEvent },
  { bngId?: string; sessionId?: string; types?: string[] }
>(`
subscription SessionEvents($bngId: String, $sessionId: ID, $types: [String!]) {
  sessionEvents(bngId: $bngId, sessionId: $sessionId, types: $types) {${EVENT_FIELDS}}
}`);

export interface TrafficUpdate {
  readonly sessionId: string;
  readonly bngId: string;
  readonly time: DateTime;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly packetsUp: number;
  readonly packetsDown: number;
  readonly upBps: number | null;
  readonly downBps: number | null;
  readonly final: boolean;
}

export const TrafficUpdatedSubscription = gql<{ trafficUpdated: TrafficUpdate }, { sessionId?: string; bngId?: string }>(`
subscription TrafficUpdated($sessionId: ID, $bngId: String) {
  trafficUpdated(sessionId: $sessionId, bngId: $bngId) {
    sessionId bngId time bytesUp bytesDown packetsUp packetsDown upBps downBps final
  }
}`);

export interface BngHealthReport {
  readonly bngId: string;
  readonly instanceId: string;
  readonly time: DateTime;
  readonly cpuPercent: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly sessionCount: number;
}

export const BngHealthSubscription = gql<{ bngHealth: BngHealthReport }, { bngId?: string }>(`
subscription BngHealth($bngId: String) {
  bngHealth(bngId: $bngId) { bngId instanceId time cpuPercent memoryBytes memoryLimitBytes sessionCount }
}`);

export const AggregateTrafficQuery = gql<
  {
    traffic: { upBps: number; downBps: number; upPps: number; downPps: number; lastSample: DateTime | null };
    trafficSeries: {
      time: DateTime;
      bytesUp: number;
      bytesDown: number;
      upBps: number;
      downBps: number;
      upBpsAvg5m: number;
      downBpsAvg5m: number;
    }[];
  },
  { from: DateTime; stepSeconds: number }
>(`
query AggregateTraffic($from: DateTime, $stepSeconds: Int) {
  traffic { upBps downBps upPps downPps lastSample }
  trafficSeries(from: $from, stepSeconds: $stepSeconds) { time bytesUp bytesDown upBps downBps upBpsAvg5m downBpsAvg5m }
}`);
