namespace Aether.Agent.Kernel;

internal sealed partial class SessionKernel
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Kernel ready: nftables table inet {Table}; HTB on {Shards} download and {Shards} upload IFB shards of {Interfaces}")]
    private partial void LogInitialized(string table, string interfaces, int shards);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Applied a kernel batch of {Count} operations")]
    private partial void LogBatchApplied(int count);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Reading the counters of nftables set {Set} failed: {Error}")]
    private partial void LogCounterReadFailed(string set, string error);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "Kernel batch of {Count} operations failed: {Error}")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Error, Message = "{Operation} for ip={Ip} on {Interface} failed in the kernel: {Error}")]
    private partial void LogOperationFailed(string operation, string ip, string @interface, string error);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "nft refused a batch ({Error}); applying it line by line")]
    private partial void LogNftBatchRetried(string error);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "Kept the shaping already in place on {Interface} and its {Shards}+{Shards} shards (sessions keep forwarding)")]
    private partial void LogLayoutKept(string @interface, int shards);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information, Message = "Built the shaping layout on {Interface}: {Rebuilt} of its {Shards}+{Shards} shard devices, redirects {RedirectsRebuilt}")]
    private partial void LogLayoutBuilt(string @interface, int rebuilt, int shards, bool redirectsRebuilt);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Information, Message = "Removed kernel state of {Count} addresses that belong to no session")]
    private partial void LogOrphansRemoved(int count);
}
