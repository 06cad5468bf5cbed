import type { LiveEvent } from '../../graphql/types';
import { formatBytes, formatKbps, toMillis } from '../../lib/format';
import type { CustomerDetailData } from './operations';

export type TimelineKind = 'customer' | 'service' | 'online' | 'offline' | 'policy' | 'relay' | 'event';

export interface TimelineItem {
  readonly key: string;
  readonly time: number;
  readonly kind: TimelineKind;
  readonly title: string;
  readonly detail: string;
}

/**
 * A customer's activity, newest first: when the customer and each service were created, every session's start and
 * stop (from history and the live sessions), and the events logged for its sessions (rate changes above all).
 * The same session start can come from a live session and its SESSION_START event: it is listed once.
 */
export function buildTimeline(data: CustomerDetailData, events: readonly LiveEvent[] = []): TimelineItem[] {
  const customer = data.customer;
  if (!customer) return [];
  const items = new Map<string, TimelineItem>();
  const add = (item: TimelineItem) => {
    if (Number.isFinite(item.time) && !items.has(item.key)) items.set(item.key, item);
  };
  const at = (t: string) => toMillis(t) ?? Number.NaN;

  add({ key: `customer:${customer.id}`, time: at(customer.createdAt), kind: 'customer', title: 'Customer created', detail: customer.email });
  for (const s of customer.services) {
    add({
      key: `service:${s.id}`,
      time: at(s.createdAt),
      kind: 'service',
      title: `Service on ${s.plan.name}`,
      detail: `${s.username ?? 'no User-Name'} · ${formatKbps(s.plan.downloadKbps)} down / ${formatKbps(s.plan.uploadKbps)} up`,
    });
    if (s.updatedAt !== s.createdAt) {
      add({ key: `service-updated:${s.id}:${s.updatedAt}`, time: at(s.updatedAt), kind: 'service', title: 'Service changed', detail: `${s.username ?? 'no User-Name'} · ${s.plan.name}, ${s.status}` });
    }
  }
  for (const s of customer.sessions) {
    add({ key: `start:${s.id}`, time: at(s.started), kind: 'online', title: `Online as ${s.ip}`, detail: `${s.bngId} · ${s.circuitId} · ${s.mac}` });
  }
  for (const h of data.sessionHistory.nodes) {
    add({ key: `start:${h.id}`, time: at(h.started), kind: 'online', title: `Online as ${h.ip}`, detail: `${h.bngId} · ${h.mac}` });
    add({
      key: `stop:${h.id}`,
      time: at(h.stopped),
      kind: 'offline',
      title: `Offline (${h.cause ?? 'stopped'})`,
      detail: `${h.ip} · ${formatBytes(h.bytesDown)} down, ${formatBytes(h.bytesUp)} up`,
    });
  }
  for (const e of events) {
    const sid = e.sessionId ?? '';
    const time = at(e.time);
    switch (e.type) {
      case 'SESSION_START':
        add({ key: `start:${sid}`, time, kind: 'online', title: `Online as ${e.session?.ip ?? '?'}`, detail: `${e.bngId} · ${e.session?.circuitId ?? ''}` });
        break;
      case 'SESSION_STOP':
        add({ key: `stop:${sid}`, time, kind: 'offline', title: `Offline (${e.cause ?? 'stopped'})`, detail: e.bngId });
        break;
      case 'POLICY_APPLY':
        add({
          key: `policy:${e.bngId}:${e.instanceId}:${e.seq}`,
          time,
          kind: 'policy',
          title: 'Rate applied',
          detail: e.session ? `${formatKbps(e.session.downloadKbps)} down / ${formatKbps(e.session.uploadKbps)} up` : '',
        });
        break;
      case 'SESSION_UPDATE':
      case 'BNG_HEALTH_UPDATE':
        break;
      default:
        add({ key: `event:${e.bngId}:${e.instanceId}:${e.seq}`, time, kind: 'event', title: e.type, detail: e.bngId });
    }
  }
  return [...items.values()].sort((a, b) => b.time - a.time || a.key.localeCompare(b.key));
}
