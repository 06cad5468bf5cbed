namespace Aether.Radius.Tests.Support;

internal static class TestTimeouts
{
    /// <summary>Every await in a test is bounded by this.</summary>
    public static readonly TimeSpan Await = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Await).Token;
}
