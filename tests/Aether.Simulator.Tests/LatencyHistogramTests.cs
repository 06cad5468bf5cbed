using Aether.Simulator.Reporting;

namespace Aether.Simulator.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Buckets_cover_every_value_once_and_in_order()
    {
        long previousHigh = -1;
        for (int index = 0; index < LatencyHistogram.SubBucketCount + (LatencyHistogram.MaxExponent * LatencyHistogram.SubBucketHalf); index++)
        {
            long low = LatencyHistogram.LowestEquivalent(index);
            long high = LatencyHistogram.HighestEquivalent(index);
            Assert.Equal(previousHigh + 1, low);
            Assert.Equal(index, LatencyHistogram.IndexOf(low));
            Assert.Equal(index, LatencyHistogram.IndexOf(high));
            previousHigh = high;
        }

        Assert.Equal(LatencyHistogram.MaxTrackable, previousHigh);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(127L)]
    [InlineData(128L)]
    [InlineData(1_000L)]
    [InlineData(123_456L)]
    [InlineData(9_876_543_210L)]
    public void A_bucket_is_within_one_sixty_fourth_of_its_values(long value)
    {
        int index = LatencyHistogram.IndexOf(value);
        long high = LatencyHistogram.HighestEquivalent(index);
        Assert.InRange(high, value, value + Math.Max(0, value / 64));
    }

    [Fact]
    public void Percentiles_of_a_uniform_run_are_close_to_exact()
    {
        var histogram = new LatencyHistogram();
        for (long v = 1; v <= 10_000; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(10_000, histogram.Count);
        Assert.InRange(histogram.ValueAtPercentile(50), 5_000, 5_000 * 65 / 64);
        Assert.InRange(histogram.ValueAtPercentile(99), 9_900, 9_900 * 65 / 64);
        Assert.Equal(10_000, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.Min);
        Assert.Equal(10_000, histogram.Max);
        Assert.Equal(5_000.5, histogram.Mean, 3);
    }

    [Fact]
    public void Percentile_never_reports_above_the_maximum()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_001);

        Assert.Equal(1_000_001, histogram.ValueAtPercentile(99));
    }

    [Fact]
    public void Empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.ValueAtPercentile(99));
        Assert.Equal(0, histogram.Min);
        Assert.Empty(histogram.Buckets());
    }

    [Fact]
    public void Values_beyond_the_range_are_clamped()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(long.MaxValue);
        histogram.Record(-5);

        Assert.Equal(LatencyHistogram.MaxTrackable, histogram.Max);
        Assert.Equal(0, histogram.Min);
    }

    [Fact]
    public void Coarse_bins_keep_every_count()
    {
        var histogram = new LatencyHistogram();
        var random = new Random(3);
        for (int i = 0; i < 5_000; i++)
        {
            histogram.Record(random.Next(50, 2_000_000));
        }

        var bins = histogram.Coarse(8);

        Assert.Equal(5_000, bins.Sum(b => b.Count));
        Assert.True(bins.Zip(bins.Skip(1)).All(p => p.First.To < p.Second.From));
    }

    [Fact]
    public void Add_merges_counts_and_extremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        b.Record(1_000);

        a.Add(b);

        Assert.Equal(2, a.Count);
        Assert.Equal(10, a.Min);
        Assert.Equal(1_000, a.Max);
    }
}
