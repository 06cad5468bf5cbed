namespace Aether.Simulator.Load;

/// <summary>
/// Paces starts at <c>rate</c> per second with at most <c>burst</c> banked; time comes in as
/// <see cref="TimeProvider"/> timestamps of <paramref name="frequency"/> ticks per second. A rate of 0 or less
/// means unlimited.
/// </summary>
internal sealed class TokenBucket
{
    // Refills add fractions of a token; without slack, 0.1 added ten times falls short of 1 and a start slips.
    private const double Slack = 1e-6;

    private readonly double _tokensPerTick;
    private readonly double _burst;
    private readonly long _frequency;
    private double _tokens;
    private long _last;

    public TokenBucket(double ratePerSecond, double burst, long frequency, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequency);
        IsUnlimited = ratePerSecond <= 0;
        _frequency = frequency;
        _tokensPerTick = IsUnlimited ? 0 : ratePerSecond / frequency;
        _burst = Math.Max(1, burst);
        _tokens = IsUnlimited ? 0 : 1; // the first start goes at once
        _last = now;
    }

    public bool IsUnlimited { get; }

    /// <summary>A default burst: 20 ms worth of tokens, at least one.</summary>
    public static double DefaultBurst(double ratePerSecond) => Math.Max(1, ratePerSecond / 50);

    public bool TryTake(long now)
    {
        if (IsUnlimited)
        {
            return true;
        }

        Refill(now);
        if (_tokens < 1 - Slack)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>When the next token is there; <paramref name="now"/> when one already is.</summary>
    public long NextTokenAt(long now)
    {
        if (IsUnlimited)
        {
            return now;
        }

        Refill(now);
        if (_tokens >= 1 - Slack)
        {
            return now;
        }

        return now + Math.Max(1, (long)Math.Ceiling((1 - _tokens) / _tokensPerTick));
    }

    /// <summary>Tokens banked now, for tests and the progress line.</summary>
    public double Available(long now)
    {
        Refill(now);
        return _tokens;
    }

    private void Refill(long now)
    {
        if (now <= _last)
        {
            return;
        }

        _tokens = Math.Min(_burst, _tokens + ((now - _last) * _tokensPerTick));
        _last = now;
    }

    public override string ToString() => IsUnlimited ? "unlimited" : $"{_tokensPerTick * _frequency:0.#}/s burst {_burst:0.#}";
}
