import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../graphql/types';
import type { CustomerDetailData, RadiusProfileData } from './operations';
import { radiusSyncState } from './radiusSync';
import { buildTimeline } from './timeline';

const plan = { id: '2', name: 'Standard 100', downloadKbps: 100_000, uploadKbps: 20_000, burstKbps: null };

function data(): CustomerDetailData {
  return {
    customer: {
      id: '7',
      name: 'Ava Okafor',
      email: 'ava@example.net',
      phone: null,
      address: null,
      createdAt: '2025-11-01T10:00:00Z',
      updatedAt: '2025-11-01T10:00:00Z',
      services: [
        {
          id: '11',
          username: 'bng-1/relay-a1/eth0/1/7',
          circuitId: 'eth0/1/7',
          remoteId: 'relay-a1',
          status: 'ACTIVE',
          createdAt: '2025-11-01T10:05:00Z',
          updatedAt: '2025-11-20T09:00:00Z',
          plan,
          session: null,
        },
      ],
      sessions: [
        {
          id: 's-2',
          ip: '100.64.0.9',
          mac: '02:ae:00:00:00:09',
          bngId: 'bng-1',
          circuitId: 'eth0/1/7',
          remoteId: 'relay-a1',
          username: 'bng-1/relay-a1/eth0/1/7',
          state: 'ACTIVE',
          started: '2025-11-25T08:00:00Z',
          updatedAt: '2025-11-25T08:10:00Z',
          downloadKbps: 100_000,
          uploadKbps: 20_000,
          bytesUp: 0,
          bytesDown: 0,
          traffic: { upBps: 0, downBps: 0 },
        },
      ],
      radiusProfile: { customerId: '7', usernames: [], check: [], reply: [], groups: [] },
    },
    sessionHistory: {
      totalCount: 1,
      nodes: [
        {
          id: 's-1',
          ip: '100.64.0.3',
          mac: '02:ae:00:00:00:09',
          bngId: 'bng-1',
          username: 'bng-1/relay-a1/eth0/1/7',
          started: '2025-11-24T08:00:00Z',
          stopped: '2025-11-24T20:00:00Z',
          cause: 'Lost-Carrier',
          bytesUp: 1e6,
          bytesDown: 2e9,
          downloadKbps: 100_000,
          uploadKbps: 20_000,
        },
      ],
    },
  };
}

function event(type: string, time: string, extra: Partial<LiveEvent> = {}): LiveEvent {
  return { type, bngId: 'bng-1', instanceId: 'i1', seq: 1, time, sessionId: 's-2', cause: null, session: null, counters: null, health: null, router: null, ...extra };
}

describe('buildTimeline', () => {
  it('lists the customer, services and sessions newest first', () => {
    const items = buildTimeline(data());
    expect(items.map((i) => i.title)).toEqual([
      'Online as 100.64.0.9',
      'Offline (Lost-Carrier)',
      'Online as 100.64.0.3',
      'Service changed',
      'Service on Standard 100',
      'Customer created',
    ]);
    expect(items[1]?.detail).toContain('2 GB down');
  });

  it('adds rate changes from the event log and lists a session start once', () => {
    const session = { mac: 'm', ip: '100.64.0.9', circuitId: 'eth0/1/7', remoteId: 'r', relayId: null, username: 'u', downloadKbps: 200_000, uploadKbps: 40_000 };
    const items = buildTimeline(data(), [
      event('SESSION_START', '2025-11-25T08:00:00Z', { session }),
      event('POLICY_APPLY', '2025-11-25T09:00:00Z', { session, seq: 2 }),
      event('SESSION_UPDATE', '2025-11-25T09:30:00Z', { seq: 3 }),
    ]);
    expect(items[0]).toMatchObject({ kind: 'policy', title: 'Rate applied', detail: '200 Mbps down / 40 Mbps up' });
    expect(items.filter((i) => i.title === 'Online as 100.64.0.9')).toHaveLength(1);
    expect(items.some((i) => i.kind === 'event')).toBe(false);
  });

  it('is empty for a missing customer', () => {
    expect(buildTimeline({ ...data(), customer: null })).toEqual([]);
  });
});

describe('radiusSyncState', () => {
  const row = (username: string) => ({ id: 1, username, attribute: 'a', op: ':=', value: 'v' });
  const profile = (check: string[], reply: string[], groups: string[] = []): RadiusProfileData => ({
    customerId: '7',
    usernames: [],
    check: check.map(row),
    reply: reply.map(row),
    groups: groups.map((username) => ({ id: 1, username, groupName: 'g', priority: 1 })),
  });

  it('wants check and reply rows for an ACTIVE service and none for any other', () => {
    expect(radiusSyncState({ username: 'u', status: 'ACTIVE' }, profile(['u'], ['u']))).toBe('synced');
    expect(radiusSyncState({ username: 'u', status: 'ACTIVE' }, profile(['u'], []))).toBe('missing');
    expect(radiusSyncState({ username: 'u', status: 'ACTIVE' }, profile(['u'], [], ['u']))).toBe('synced');
    expect(radiusSyncState({ username: 'u', status: 'ACTIVE' }, profile([], ['u'], ['u']))).toBe('missing');
    expect(radiusSyncState({ username: 'u', status: 'ACTIVE' }, undefined)).toBe('missing');
    expect(radiusSyncState({ username: 'u', status: 'SUSPENDED' }, profile(['u'], []))).toBe('stale');
    expect(radiusSyncState({ username: 'u', status: 'SUSPENDED' }, profile(['other'], ['other']))).toBe('removed');
  });
});
