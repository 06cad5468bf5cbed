import type { RadiusProfileData } from './operations';

export type RadiusSyncState = 'synced' | 'missing' | 'stale' | 'removed';

/**
 * Whether FreeRADIUS's rows agree with a service: an ACTIVE service needs its radcheck row (the subscriber is
 * rejected without it) and its rates, as radreply rows or through its radusergroup group; any other status must
 * have none.
 */
export function radiusSyncState(service: { username: string | null; status: string }, profile: RadiusProfileData | undefined): RadiusSyncState {
  // A service without a User-Name has no rows to look for: nothing can be out of step.
  if (service.username === null) return service.status.toUpperCase() === 'ACTIVE' ? 'missing' : 'removed';
  const check = profile?.check.filter((r) => r.username === service.username).length ?? 0;
  const reply = profile?.reply.filter((r) => r.username === service.username).length ?? 0;
  const groups = profile?.groups.filter((r) => r.username === service.username).length ?? 0;
  if (service.status.toUpperCase() === 'ACTIVE') return check > 0 && reply + groups > 0 ? 'synced' : 'missing';
  return check + reply + groups > 0 ? 'stale' : 'removed';
}

export const radiusSyncText: Record<RadiusSyncState, string> = {
  synced: 'RADIUS in sync',
  missing: 'RADIUS rows missing',
  stale: 'RADIUS rows left over',
  removed: 'RADIUS rows removed',
};
