import { gql } from '../../graphql/document';
import type { DateTime } from '../../graphql/types';

export const DisconnectSessionMutation = gql<
  { disconnectSession: { sessionId: string; bngId: string } },
  { id: string; cause?: string }
>(`
mutation DisconnectSession($id: ID!, $cause: String) {
  disconnectSession(id: $id, cause: $cause) { sessionId bngId }
}`);

export const SessionTrafficQuery = gql<
  {
    trafficSeries: { time: DateTime; upBps: number; downBps: number; upBpsAvg5m: number; downBpsAvg5m: number }[];
  },
  { sessionId: string; from: DateTime; stepSeconds: number }
>(`
query SessionTraffic($sessionId: ID!, $from: DateTime, $stepSeconds: Int) {
  trafficSeries(sessionId: $sessionId, from: $from, stepSeconds: $stepSeconds) { time upBps downBps upBpsAvg5m downBpsAvg5m }
}`);
