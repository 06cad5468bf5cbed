// Checks run before a form is sent, with the messages an operator sees next to each field. The server checks
// again and its messages are shown the same way; these only save a round trip for the obvious mistakes.

import type { CustomerInput, PlanInput, ServiceInput } from './operations';

export type Errors<K extends string> = Partial<Record<K, string | undefined>>;

export interface CustomerForm {
  name: string;
  email: string;
  phone: string;
  address: string;
}

export interface PlanForm {
  name: string;
  downloadMbps: string;
  uploadMbps: string;
  burstMbps: string;
}

export interface ServiceForm {
  customerId: string;
  planId: string;
  bngId: string;
  remoteId: string;
  circuitId: string;
  username: string;
  status: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ().-]{5,24}$/;
/** RADIUS attributes carry at most 253 octets (RFC 2865 §5). */
const RADIUS_MAX = 253;
/** The fastest rate a plan may name: 100 Gbit/s, in kbit/s. */
export const MAX_KBPS = 100_000_000;

const blank = (s: string) => s.trim() === '';
const orNull = (s: string) => (blank(s) ? null : s.trim());

export function validateCustomer(form: CustomerForm): Errors<keyof CustomerForm> {
  const errors: Errors<keyof CustomerForm> = {};
  if (blank(form.name)) errors.name = 'Enter the customer’s name.';
  else if (form.name.trim().length > 200) errors.name = 'Keep the name under 200 characters.';
  if (blank(form.email)) errors.email = 'Enter an email address.';
  else if (!EMAIL.test(form.email.trim())) errors.email = 'This is not an email address.';
  if (!blank(form.phone) && !PHONE.test(form.phone.trim())) errors.phone = 'Use digits, spaces and + ( ) - . only.';
  if (form.address.trim().length > 500) errors.address = 'Keep the address under 500 characters.';
  return errors;
}

export function toCustomerInput(form: CustomerForm): CustomerInput {
  return { name: form.name.trim(), email: form.email.trim(), phone: orNull(form.phone), address: orNull(form.address) };
}

/** Mbit/s as typed (decimals allowed) to whole kbit/s, or null when it is not a positive number. */
export function mbpsToKbps(text: string): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const kbps = Math.round(Number(t) * 1000);
  return kbps > 0 ? kbps : null;
}

export function kbpsToMbpsText(kbps: number | null): string {
  if (kbps === null) return '';
  return (kbps / 1000).toString();
}

export function validatePlan(form: PlanForm): Errors<keyof PlanForm> {
  const errors: Errors<keyof PlanForm> = {};
  if (blank(form.name)) errors.name = 'Name the plan.';
  else if (form.name.trim().length > 100) errors.name = 'Keep the name under 100 characters.';
  const down = mbpsToKbps(form.downloadMbps);
  const up = mbpsToKbps(form.uploadMbps);
  if (down === null) errors.downloadMbps = 'Enter a download rate above 0 Mbps.';
  else if (down > MAX_KBPS) errors.downloadMbps = 'At most 100,000 Mbps.';
  if (up === null) errors.uploadMbps = 'Enter an upload rate above 0 Mbps.';
  else if (up > MAX_KBPS) errors.uploadMbps = 'At most 100,000 Mbps.';
  if (!blank(form.burstMbps)) {
    const burst = mbpsToKbps(form.burstMbps);
    if (burst === null) errors.burstMbps = 'Enter a burst rate above 0 Mbps, or leave it empty.';
    else if (burst > MAX_KBPS) errors.burstMbps = 'At most 100,000 Mbps.';
    else if (down !== null && burst < down) errors.burstMbps = 'The burst ceiling cannot be below the download rate.';
  }
  return errors;
}

export function toPlanInput(form: PlanForm): PlanInput {
  return {
    name: form.name.trim(),
    downloadKbps: mbpsToKbps(form.downloadMbps) ?? 0,
    uploadKbps: mbpsToKbps(form.uploadMbps) ?? 0,
    burstKbps: blank(form.burstMbps) ? null : mbpsToKbps(form.burstMbps),
  };
}

export const SERVICE_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;

export function validateService(form: ServiceForm): Errors<keyof ServiceForm> {
  const errors: Errors<keyof ServiceForm> = {};
  if (blank(form.customerId)) errors.customerId = 'Pick the customer.';
  if (blank(form.planId)) errors.planId = 'Pick a plan.';
  for (const key of ['bngId', 'remoteId', 'circuitId', 'username'] as const) {
    if (form[key].trim().length > RADIUS_MAX) errors[key] = `At most ${RADIUS_MAX} characters (a RADIUS attribute's limit).`;
  }
  if (blank(form.username) && (blank(form.circuitId) || blank(form.remoteId))) {
    const message = 'Give the circuit-id and remote-id the relay inserts (Option 82), or a User-Name.';
    if (blank(form.circuitId)) errors.circuitId ??= message;
    if (blank(form.remoteId)) errors.remoteId ??= message;
  }
  if (!(SERVICE_STATUSES as readonly string[]).includes(form.status)) errors.status = 'ACTIVE or SUSPENDED.';
  return errors;
}

export function toServiceInput(form: ServiceForm): ServiceInput {
  return {
    customerId: form.customerId.trim(),
    planId: form.planId.trim(),
    bngId: orNull(form.bngId),
    remoteId: orNull(form.remoteId),
    circuitId: orNull(form.circuitId),
    username: orNull(form.username),
    status: form.status,
  };
}

/** The User-Name the server will give a service without one: "<bngId>/<remoteId>/<circuitId>". */
export function defaultUsername(form: Pick<ServiceForm, 'bngId' | 'remoteId' | 'circuitId'>): string {
  return [form.bngId, form.remoteId, form.circuitId].map((s) => s.trim()).join('/');
}

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}
