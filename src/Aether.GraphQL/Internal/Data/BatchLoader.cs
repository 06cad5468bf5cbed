using GraphQL.DataLoader;

namespace Aether.GraphQL.Internal.Data;

/// <summary>
/// Collects the keys that resolvers ask for while the executor walks one level of the result, then fetches them all
/// with one query when the first result is awaited: a page of N rows with a related object costs one query for the
/// relation, not N. Results are cached for the request. GraphQL.NET's execution strategies await
/// <see cref="IDataLoaderResult"/> values only after every resolver of the level has run, which is what makes the batch.
/// </summary>
internal sealed class BatchLoader<TKey, TValue>
    where TKey : notnull
{
    private readonly Func<IReadOnlyList<TKey>, CancellationToken, Task<Dictionary<TKey, TValue>>> _fetch;
    private readonly Func<TValue>? _missing;
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Task<Dictionary<TKey, TValue>>> _batches = [];
    private readonly HashSet<TKey> _pending = [];

    /// <param name="fetch">Loads the values of the keys; a key it leaves out has no value.</param>
    /// <param name="missing">The value of a key without one (e.g. an empty list); default otherwise.</param>
    public BatchLoader(Func<IReadOnlyList<TKey>, CancellationToken, Task<Dictionary<TKey, TValue>>> fetch, Func<TValue>? missing = null)
    {
        _fetch = fetch;
        _missing = missing;
    }

    /// <summary>Number of fetches made, for tests.</summary>
    public int Fetches { get; private set; }

    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        lock (_gate)
        {
            if (!_batches.ContainsKey(key))
            {
                _pending.Add(key);
            }
        }

        return new Result(this, key);
    }

    private async Task<TValue?> GetAsync(TKey key, CancellationToken cancellationToken)
    {
        Task<Dictionary<TKey, TValue>>? batch;
        lock (_gate)
        {
            if (!_batches.TryGetValue(key, out batch))
            {
                _pending.Add(key);
                TKey[] keys = [.. _pending];
                _pending.Clear();
                batch = FetchAsync(keys, cancellationToken);
                foreach (var k in keys)
                {
                    _batches[k] = batch;
                }

                Fetches++;
            }
        }

        var values = await batch;
        if (values.TryGetValue(key, out var value))
        {
            return value;
        }

        return _missing is null ? default : _missing();
    }

    private async Task<Dictionary<TKey, TValue>> FetchAsync(TKey[] keys, CancellationToken cancellationToken)
    {
        // Leave the lock before any I/O starts.
        await Task.Yield();
        return await _fetch(keys, cancellationToken);
    }

    private sealed class Result(BatchLoader<TKey, TValue> loader, TKey key) : IDataLoaderResult<TValue?>
    {
        public Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default) => loader.GetAsync(key, cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) =>
            await loader.GetAsync(key, cancellationToken);
    }
}
