import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBps, formatClock, formatMemory, formatPercent } from '../lib/format';

export interface TrafficChartPoint {
  readonly time: number;
  readonly downBps: number;
  readonly upBps: number;
  readonly downAvg5m: number;
  readonly upAvg5m: number;
}

const axisStyle = { fontSize: 11, fill: 'var(--muted)' };

/** Download and upload rates (areas) with their five-minute rolling averages (lines). */
export function TrafficChart({ points, height = 240 }: { points: readonly TrafficChartPoint[]; height?: number }) {
  return (
    <div className="chart" style={{ height }} data-testid="traffic-chart">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={formatClock} tick={axisStyle} minTickGap={48} />
          <YAxis tickFormatter={(v: number) => formatBps(v)} tick={axisStyle} width={72} />
          <Tooltip
            labelFormatter={(label) => formatClock(Number(label))}
            formatter={(value) => formatBps(Number(value))}
            contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area type="monotone" dataKey="downBps" name="Download" stroke="var(--down)" fill="var(--down)" fillOpacity={0.18} isAnimationActive={false} dot={false} />
          <Area type="monotone" dataKey="upBps" name="Upload" stroke="var(--up)" fill="var(--up)" fillOpacity={0.18} isAnimationActive={false} dot={false} />
          <Area type="monotone" dataKey="downAvg5m" name="Download, 5 min avg" stroke="var(--down)" strokeWidth={2} strokeDasharray="5 3" fill="none" isAnimationActive={false} dot={false} />
          <Area type="monotone" dataKey="upAvg5m" name="Upload, 5 min avg" stroke="var(--up)" strokeWidth={2} strokeDasharray="5 3" fill="none" isAnimationActive={false} dot={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface HealthChartPoint {
  readonly time: number;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  readonly memoryBytes: number;
}

/** CPU and memory use of one BNG, both in percent (memory of its limit). */
export function HealthChart({ points, height = 110 }: { points: readonly HealthChartPoint[]; height?: number }) {
  return (
    <div className="chart" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} scale="time" hide />
          <YAxis domain={[0, 100]} tick={axisStyle} width={30} tickFormatter={(v: number) => `${v}`} />
          <Tooltip
            labelFormatter={(label) => formatClock(Number(label))}
            formatter={(value, name, item) =>
              name === 'Memory'
                ? `${formatPercent(Number(value))} (${formatMemory((item.payload as HealthChartPoint).memoryBytes)})`
                : formatPercent(Number(value))
            }
            contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
          />
          <Line type="monotone" dataKey="cpuPercent" name="CPU" stroke="var(--cpu)" dot={false} isAnimationActive={false} strokeWidth={1.5} />
          <Line type="monotone" dataKey="memoryPercent" name="Memory" stroke="var(--mem)" dot={false} isAnimationActive={false} strokeWidth={1.5} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
