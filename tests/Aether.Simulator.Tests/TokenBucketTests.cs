using Aether.Simulator.Load;

namespace Aether.Simulator.Tests;

public sealed class TokenBucketTests
{
    private const long Frequency = 1_000_000; // microsecond ticks

    [Fact]
    public void Paces_starts_at_the_rate()
    {
        var bucket = new TokenBucket(1_000, 1, Frequency, 0);
        int taken = 0;
        for (long t = 0; t <= Frequency; t += 100)
        {
            while (bucket.TryTake(t))
            {
                taken++;
            }
        }

        Assert.InRange(taken, 1_000, 1_001);
    }

    [Fact]
    public void Banks_at_most_the_burst()
    {
        var bucket = new TokenBucket(1_000, 5, Frequency, 0);
        int taken = 0;
        while (bucket.TryTake(Frequency * 10))
        {
            taken++;
        }

        Assert.Equal(5, taken);
    }

    [Fact]
    public void Next_token_time_is_one_interval_after_an_empty_bucket()
    {
        var bucket = new TokenBucket(100, 1, Frequency, 0);
        Assert.True(bucket.TryTake(0));

        Assert.Equal(10_000, bucket.NextTokenAt(0));
        Assert.False(bucket.TryTake(9_999));
        Assert.True(bucket.TryTake(10_000));
    }

    [Fact]
    public void Zero_rate_is_unlimited()
    {
        var bucket = new TokenBucket(0, 1, Frequency, 0);

        Assert.True(bucket.IsUnlimited);
        Assert.All(Enumerable.Range(0, 10_000), _ => Assert.True(bucket.TryTake(0)));
        Assert.Equal(0, bucket.NextTokenAt(0));
    }
}
