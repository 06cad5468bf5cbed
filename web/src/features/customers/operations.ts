import { gql } from '../../graphql/document';
import type { DateTime, LiveEvent, PlanSummary } from '../../graphql/types';
import { EVENT_FIELDS } from '../../live/operations';

export interface RadiusProfileData {
  readonly customerId: string;
  readonly usernames: string[];
  readonly check: RadiusRow[];
  readonly reply: RadiusRow[];
  readonly groups: { readonly id: number; readonly username: string; readonly groupName: string; readonly priority: number }[];
}

export interface RadiusRow {
  readonly id: number;
  readonly username: string;
  readonly attribute: string;
  readonly op: string;
  readonly value: string;
}

export interface CustomerLiveSession {
  readonly id: string;
  readonly ip: string;
  readonly mac: string;
  readonly bngId: string;
  readonly circuitId: string;
  readonly remoteId: string;
  readonly username: string | null;
  readonly state: string;
  readonly started: DateTime;
  readonly updatedAt: DateTime;
  readonly downloadKbps: number;
  readonly uploadKbps: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly traffic: { readonly upBps: number; readonly downBps: number };
}

export interface CustomerService {
  readonly id: string;
  readonly username: string | null;
  readonly circuitId: string | null;
  readonly remoteId: string | null;
  readonly status: string;
  readonly createdAt: DateTime;
  readonly updatedAt: DateTime;
  readonly plan: PlanSummary;
  readonly session: { readonly id: string; readonly ip: string; readonly state: string; readonly downloadKbps: number; readonly uploadKbps: number } | null;
}

export interface CustomerDetailData {
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly email: string;
    readonly phone: string | null;
    readonly address: string | null;
    readonly createdAt: DateTime;
    readonly updatedAt: DateTime;
    readonly services: CustomerService[];
    readonly sessions: CustomerLiveSession[];
    readonly radiusProfile: RadiusProfileData;
  } | null;
  readonly sessionHistory: {
    readonly totalCount: number;
    readonly nodes: {
      readonly id: string;
      readonly ip: string;
      readonly mac: string;
      readonly bngId: string;
      readonly username: string | null;
      readonly started: DateTime;
      readonly stopped: DateTime;
      readonly cause: string | null;
      readonly bytesUp: number;
      readonly bytesDown: number;
      readonly downloadKbps: number;
      readonly uploadKbps: number;
    }[];
  };
}

export const RADIUS_PROFILE_FIELDS = `
  customerId usernames
  check { id username attribute op value }
  reply { id username attribute op value }
  groups { id username groupName priority }
`;

export const CustomerDetailQuery = gql<CustomerDetailData, { id: string }>(`
query CustomerDetail($id: ID!) {
  customer(id: $id) {
    id name email phone address createdAt updatedAt
    services {
      id username circuitId remoteId status createdAt updatedAt
      plan { id name downloadKbps uploadKbps burstKbps }
      session { id ip state downloadKbps uploadKbps }
    }
    sessions {
      id ip mac bngId circuitId remoteId username state started updatedAt
      downloadKbps uploadKbps bytesUp bytesDown
      traffic { upBps downBps }
    }
    radiusProfile {${RADIUS_PROFILE_FIELDS}}
  }
  sessionHistory(first: 50, filter: { customerId: $id }) {
    totalCount
    nodes { id ip mac bngId username started stopped cause bytesUp bytesDown downloadKbps uploadKbps }
  }
}`);

export const SessionEventsQuery = gql<{ events: { nodes: LiveEvent[] } }, { sessionId: string }>(`
query SessionEventLog($sessionId: ID!) {
  events(first: 100, filter: { sessionId: $sessionId }) {
    nodes {${EVENT_FIELDS}}
  }
}`);
