import { describe, expect, it } from 'vitest';
import {
  defaultUsername,
  hasErrors,
  kbpsToMbpsText,
  mbpsToKbps,
  toCustomerInput,
  toPlanInput,
  toServiceInput,
  validateCustomer,
  validatePlan,
  validateService,
} from './validation';

describe('validateCustomer', () => {
  const ok = { name: 'Ava Okafor', email: 'ava@example.net', phone: '+44 20 7946 0000', address: '' };
  it('accepts a complete customer', () => expect(validateCustomer(ok)).toEqual({}));
  it('names every mistake at once', () => {
    expect(validateCustomer({ name: ' ', email: 'ava@', phone: 'call me', address: 'x'.repeat(501) })).toEqual({
      name: 'Enter the customer’s name.',
      email: 'This is not an email address.',
      phone: 'Use digits, spaces and + ( ) - . only.',
      address: 'Keep the address under 500 characters.',
    });
    expect(validateCustomer({ ...ok, email: '' }).email).toBe('Enter an email address.');
  });
  it('sends blanks as null and trims the rest', () => {
    expect(toCustomerInput({ name: ' Ava ', email: ' ava@example.net', phone: ' ', address: '' })).toEqual({ name: 'Ava', email: 'ava@example.net', phone: null, address: null });
  });
});

describe('validatePlan', () => {
  it('converts Mbit/s as typed into whole kbit/s', () => {
    expect(mbpsToKbps('50')).toBe(50_000);
    expect(mbpsToKbps('0.5')).toBe(500);
    expect(mbpsToKbps('0')).toBeNull();
    expect(mbpsToKbps('-3')).toBeNull();
    expect(mbpsToKbps('fast')).toBeNull();
    expect(kbpsToMbpsText(2500)).toBe('2.5');
    expect(kbpsToMbpsText(null)).toBe('');
  });
  it('wants a name and positive rates, within 100 Gbit/s', () => {
    expect(validatePlan({ name: '', downloadMbps: '', uploadMbps: '0', burstMbps: '' })).toEqual({
      name: 'Name the plan.',
      downloadMbps: 'Enter a download rate above 0 Mbps.',
      uploadMbps: 'Enter an upload rate above 0 Mbps.',
    });
    expect(validatePlan({ name: 'Huge', downloadMbps: '100001', uploadMbps: '10', burstMbps: '' }).downloadMbps).toBe('At most 100,000 Mbps.');
  });
  it('keeps the burst ceiling at or above the download rate', () => {
    expect(validatePlan({ name: 'P', downloadMbps: '100', uploadMbps: '20', burstMbps: '80' }).burstMbps).toBe('The burst ceiling cannot be below the download rate.');
    expect(validatePlan({ name: 'P', downloadMbps: '100', uploadMbps: '20', burstMbps: '120' })).toEqual({});
    expect(toPlanInput({ name: ' P ', downloadMbps: '100', uploadMbps: '20', burstMbps: '' })).toEqual({ name: 'P', downloadKbps: 100_000, uploadKbps: 20_000, burstKbps: null });
  });
});

describe('validateService', () => {
  const base = { customerId: '7', planId: '2', bngId: 'bng-1', remoteId: 'relay-a1', circuitId: 'eth0/1/7', username: '', status: 'ACTIVE' };
  it('accepts an Option 82 identity or a User-Name', () => {
    expect(validateService(base)).toEqual({});
    expect(validateService({ ...base, remoteId: '', circuitId: '', username: 'alice' })).toEqual({});
  });
  it('asks for the customer, the plan and an identity', () => {
    const errors = validateService({ ...base, customerId: '', planId: '', remoteId: '', circuitId: '' });
    expect(errors.customerId).toBe('Pick the customer.');
    expect(errors.planId).toBe('Pick a plan.');
    expect(errors.circuitId).toMatch(/circuit-id and remote-id/);
    expect(errors.remoteId).toMatch(/circuit-id and remote-id/);
    expect(hasErrors(errors)).toBe(true);
    expect(hasErrors({ a: undefined })).toBe(false);
  });
  it('keeps identities within a RADIUS attribute and the status to the two known', () => {
    expect(validateService({ ...base, username: 'u'.repeat(254) }).username).toMatch(/253/);
    expect(validateService({ ...base, status: 'DELETED' }).status).toBe('ACTIVE or SUSPENDED.');
  });
  it('shows the User-Name the server will make and sends blanks as null', () => {
    expect(defaultUsername(base)).toBe('bng-1/relay-a1/eth0/1/7');
    expect(toServiceInput({ ...base, bngId: ' ' })).toEqual({ customerId: '7', planId: '2', bngId: null, remoteId: 'relay-a1', circuitId: 'eth0/1/7', username: null, status: 'ACTIVE' });
  });
});
