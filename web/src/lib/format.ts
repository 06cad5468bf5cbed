// Display formatting for rates, volumes, durations and times. Network rates are decimal (1 Mbps = 10^6 bit/s),
// as ISPs sell them; memory is binary (MiB), as the kernel's cgroup files report it.

const rateUnits = ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'] as const;
const byteUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;
const memoryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Three significant digits at most, so columns of figures line up: 1.23, 12.3, 123. */
function significant(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1).replace(/\.0$/, '');
  return value.toFixed(2).replace(/\.?0+$/, '');
}

function scaled(value: number, base: number, units: readonly string[]): string {
  if (!Number.isFinite(value) || value <= 0) return `0 ${units[0] ?? ''}`;
  let unit = 0;
  let scaledValue = value;
  while (scaledValue >= base && unit < units.length - 1) {
    scaledValue /= base;
    unit++;
  }
  // 999.7 kbps rounds to "1000 kbps"; show it as 1 Mbps instead.
  if (Number(significant(scaledValue)) >= base && unit < units.length - 1) {
    scaledValue /= base;
    unit++;
  }
  return `${unit === 0 ? Math.round(scaledValue).toString() : significant(scaledValue)} ${units[unit] ?? ''}`;
}

/** Bits per second, e.g. 12.5 Mbps. */
export function formatBps(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, 1000, rateUnits);
}

/** A plan's rate given in kbit/s, e.g. 100000 → 100 Mbps. */
export function formatKbps(kbps: number): string {
  return formatBps(kbps * 1000);
}

/** A plan's download and upload rates in kbit/s, compactly: "100/20 Mbps", or "1 Gbps/250 Mbps" across units. */
export function formatRatePair(downKbps: number, upKbps: number): string {
  const down = formatKbps(downKbps);
  const up = formatKbps(upKbps);
  const downUnit = down.split(' ')[1];
  const upUnit = up.split(' ')[1];
  return downUnit === upUnit ? `${down.split(' ')[0] ?? ''}/${up}` : `${down}/${up}`;
}

/** A traffic volume in bytes, e.g. 1.5 GB. */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1000, byteUnits);
}

/** A memory size in bytes, e.g. 512 MiB. */
export function formatMemory(bytes: number): string {
  return scaled(bytes, 1024, memoryUnits);
}

export function formatCount(value: number): string {
  return integer.format(value);
}

export function formatPercent(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)}%`;
}

/** A span of seconds as its two largest units: 3d 4h, 2h 05m, 4m 12s, 12s. */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  const s = Math.floor(totalSeconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes.toString().padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${seconds.toString().padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** How long ago a time was, relative to now: "just now", "42s ago", "5m 03s ago". */
export function formatAgo(time: string | number | Date, now: number = Date.now()): string {
  const at = toMillis(time);
  if (at === null) return '—';
  const seconds = (now - at) / 1000;
  if (seconds < 2) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

/** A timestamp in the operator's local time, to the second: 2025-11-25 13:42:07. */
export function formatTimestamp(time: string | number | Date): string {
  const at = toMillis(time);
  if (at === null) return '—';
  const d = new Date(at);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A clock time for chart axes: 13:42:07. */
export function formatClock(time: number): string {
  return formatTimestamp(time).slice(11);
}

export function toMillis(time: string | number | Date | null | undefined): number | null {
  if (time === null || time === undefined) return null;
  const value = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  return Number.isFinite(value) ? value : null;
}

/** MAC addresses shown one way whatever the reporter sent: lower case, colon separated. */
export function formatMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 12) return mac;
  return hex.replace(/(..)(?!$)/g, '$1:');
}
