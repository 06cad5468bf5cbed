using System.Numerics;

namespace Aether.Simulator.Reporting;

/// <summary>
/// A log-linear histogram of latencies in microseconds, in the manner of HdrHistogram with two significant
/// digits: values below 128 are exact; above, each power of two is split into 64 equal buckets, so a reported
/// value is within 1/64 (1.6%) of the true one. Values over <see cref="MaxTrackable"/> (about 19 hours) are
/// clamped. Not thread-safe: one engine thread records.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Exact buckets below 2^<see cref="SubBucketBits"/>, then 2^(bits-1) buckets per power of two.</summary>
    internal const int SubBucketBits = 7;
    internal const int SubBucketCount = 1 << SubBucketBits;
    internal const int SubBucketHalf = SubBucketCount / 2;
    internal const int MaxExponent = 30;

    public const long MaxTrackable = (1L << (MaxExponent + SubBucketBits)) - 1;

    private readonly long[] _counts = new long[SubBucketCount + (MaxExponent * SubBucketHalf)];
    private long _total;
    private long _min = long.MaxValue;
    private long _max;
    private double _sum;

    public long Count => _total;

    public long Min => _total == 0 ? 0 : _min;

    public long Max => _max;

    public double Mean => _total == 0 ? 0 : _sum / _total;

    public void Record(long microseconds)
    {
        long value = Math.Clamp(microseconds, 0, MaxTrackable);
        _counts[IndexOf(value)]++;
        _total++;
        _sum += value;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        _total += other._total;
        _sum += other._sum;
        if (other._total > 0)
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }
    }

    /// <summary>
    /// The smallest recorded value v such that at least <paramref name="percentile"/>% of values are ≤ v,
    /// reported as the top of its bucket and never above the true maximum; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (_total == 0)
        {
            return 0;
        }

        double p = Math.Clamp(percentile, 0, 100);
        long rank = Math.Max(1, (long)Math.Ceiling(p / 100 * _total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(HighestEquivalent(i), _min, _max);
            }
        }

        return _max;
    }

    /// <summary>Non-empty buckets in order: lowest and highest value each holds, and its count.</summary>
    public IEnumerable<(long From, long To, long Count)> Buckets()
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                yield return (LowestEquivalent(i), HighestEquivalent(i), _counts[i]);
            }
        }
    }

    /// <summary>Counts regrouped into <paramref name="perOctave"/> bins per power of two, for a readable picture.</summary>
    public IReadOnlyList<(long From, long To, long Count)> Coarse(int perOctave)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perOctave);
        var bins = new SortedDictionary<long, (long From, long To, long Count)>();
        foreach (var (from, to, count) in Buckets())
        {
            long key;
            long lo;
            long hi;
            if (from < 1)
            {
                key = 0;
                lo = 0;
                hi = 0;
            }
            else
            {
                int octave = BitOperations.Log2((ulong)from);
                long octaveStart = 1L << octave;
                long width = Math.Max(1, octaveStart / perOctave);
                long index = (from - octaveStart) / width;
                lo = octaveStart + (index * width);
                hi = Math.Min((2 * octaveStart) - 1, lo + width - 1);
                key = lo;
            }

            bins[key] = bins.TryGetValue(key, out var bin) ? (bin.From, Math.Max(bin.To, to), bin.Count + count) : (lo, Math.Max(hi, to), count);
        }

        return [.. bins.Values];
    }

    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        // Shift so the value's top SubBucketBits bits remain: (value >> shift) is in [64, 128).
        int shift = BitOperations.Log2((ulong)value) - (SubBucketBits - 1);
        return SubBucketCount + ((shift - 1) * SubBucketHalf) + (int)((value >> shift) - SubBucketHalf);
    }

    internal static long LowestEquivalent(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        int shift = ((index - SubBucketCount) / SubBucketHalf) + 1;
        long sub = ((index - SubBucketCount) % SubBucketHalf) + SubBucketHalf;
        return sub << shift;
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        int shift = ((index - SubBucketCount) / SubBucketHalf) + 1;
        return LowestEquivalent(index) + (1L << shift) - 1;
    }
}
