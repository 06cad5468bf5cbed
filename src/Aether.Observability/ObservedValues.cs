using System.Diagnostics.Metrics;

namespace Aether.Observability;

/// <summary>
/// The source an observable instrument reads when it is collected. Instruments are static and created once; the
/// component that owns the values (a registry, a counter set) binds its callback when it starts, and the last
/// binding wins. Unbound, the instrument reports nothing.
/// </summary>
public sealed class ObservedValues<T>
    where T : struct
{
    private Func<IEnumerable<Measurement<T>>>? _source;

    /// <summary>Binds the callback that produces the current measurements; disposing the handle unbinds it.</summary>
    public IDisposable Bind(Func<IEnumerable<Measurement<T>>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Volatile.Write(ref _source, source);
        return new Binding(this, source);
    }

    internal IEnumerable<Measurement<T>> Observe()
    {
        var source = Volatile.Read(ref _source);
        if (source is null)
        {
            return [];
        }

        try
        {
            return [.. source()];
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // A source torn down mid-collection (host stopping): report nothing this time.
            return [];
        }
    }

    private sealed class Binding(ObservedValues<T> owner, Func<IEnumerable<Measurement<T>>> source) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref owner._source, null, source);
    }
}
