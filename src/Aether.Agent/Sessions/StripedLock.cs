namespace Aether.Agent.Sessions;

/// <summary>
/// Serializes changes per subscriber (by MAC) without serializing subscribers against each other, so that kernel
/// operations of many subscribers meet in one batch. Two keys are taken in stripe order, so no two callers deadlock.
/// A holder waits for its kernel batch, so the stripes bound how many subscribers one batch can carry: enough of them
/// that a burst of a few thousand DHCPACKs or expiries goes in one or two batches.
/// </summary>
internal sealed class StripedLock
{
    private const int Stripes = 4096;
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = _stripes[Index(key)];
        await stripe.WaitAsync(cancellationToken);
        return new Releaser(stripe, null);
    }

    public async Task<Releaser> AcquireAsync(string first, string second, CancellationToken cancellationToken)
    {
        int a = Index(first), b = Index(second);
        if (a == b)
        {
            return await AcquireAsync(first, cancellationToken);
        }
        var (low, high) = a < b ? (_stripes[a], _stripes[b]) : (_stripes[b], _stripes[a]);
        await low.WaitAsync(cancellationToken);
        try
        {
            await high.WaitAsync(cancellationToken);
        }
        catch
        {
            low.Release();
            throw;
        }
        return new Releaser(low, high);
    }

    private static int Index(string key) => (StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % Stripes;

    internal readonly struct Releaser(SemaphoreSlim first, SemaphoreSlim? second) : IDisposable
    {
        public void Dispose()
        {
            second?.Release();
            first.Release();
        }
    }
}
