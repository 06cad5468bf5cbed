import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBps,
  formatBytes,
  formatCount,
  formatDuration,
  formatKbps,
  formatMac,
  formatMemory,
  formatPercent,
  formatRatePair,
  formatTimestamp,
  toMillis,
} from './format';

describe('formatBps', () => {
  it.each([
    [0, '0 bps'],
    [-5, '0 bps'],
    [Number.NaN, '0 bps'],
    [999, '999 bps'],
    [1000, '1 kbps'],
    [1234, '1.23 kbps'],
    [12_345, '12.3 kbps'],
    [123_456, '123 kbps'],
    [999_700, '1 Mbps'],
    [50_000_000, '50 Mbps'],
    [1_080_000_000, '1.08 Gbps'],
    [2.5e12, '2.5 Tbps'],
  ])('%d bit/s is %s', (value, text) => expect(formatBps(value)).toBe(text));
});

describe('formatKbps', () => {
  it('shows a plan rate given in kbit/s in the largest unit', () => {
    expect(formatKbps(50_000)).toBe('50 Mbps');
    expect(formatKbps(1_000_000)).toBe('1 Gbps');
    expect(formatKbps(512)).toBe('512 kbps');
  });
});

describe('formatRatePair', () => {
  it('writes download/upload with one unit when they share it', () => {
    expect(formatRatePair(100_000, 20_000)).toBe('100/20 Mbps');
    expect(formatRatePair(1_000_000, 250_000)).toBe('1 Gbps/250 Mbps');
  });
});

describe('formatBytes and formatMemory', () => {
  it('uses decimal units for traffic and binary units for memory', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(9_170_000)).toBe('9.17 MB');
    expect(formatBytes(4.2e12)).toBe('4.2 TB');
    expect(formatMemory(1024 * 1024 * 1024)).toBe('1 GiB');
    expect(formatMemory(177 * 1024 * 1024)).toBe('177 MiB');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [61, '1m 01s'],
    [3600 + 5 * 60, '1h 05m'],
    [3 * 86_400 + 4 * 3600 + 59, '3d 4h'],
    [-1, '—'],
  ])('%d seconds is %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});

describe('formatAgo', () => {
  const now = Date.parse('2025-11-25T12:00:00Z');
  it('says how long ago from an ISO string, a number or a Date', () => {
    expect(formatAgo('2025-11-25T11:59:59.5Z', now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42s ago');
    expect(formatAgo(new Date(now - 303_000), now)).toBe('5m 03s ago');
    expect(formatAgo('not a time', now)).toBe('—');
  });
});

describe('other formats', () => {
  it('groups counts, rounds percents and writes local timestamps', () => {
    expect(formatCount(10_000)).toBe('10,000');
    expect(formatPercent(23.456)).toBe('23.5%');
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('—');
    expect(formatTimestamp(new Date(2025, 10, 25, 13, 4, 5))).toBe('2025-11-25 13:04:05');
    expect(formatTimestamp('garbage')).toBe('—');
    expect(toMillis(null)).toBeNull();
    expect(toMillis('2025-11-25T00:00:00Z')).toBe(Date.UTC(2025, 10, 25));
  });

  it('writes MAC addresses one way whatever the reporter sent', () => {
    expect(formatMac('02AE.0000.E2E2')).toBe('02:ae:00:00:e2:e2');
    expect(formatMac('02-ae-00-00-e2-e2')).toBe('02:ae:00:00:e2:e2');
    expect(formatMac('not-a-mac')).toBe('not-a-mac');
  });
});
