using System.Net;
using Microsoft.Extensions.Options;

namespace Aether.Controller;

/// <summary>Controller settings (section "Controller").</summary>
internal sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>Name of this controller instance, shown to agents and operators.</summary>
    public string ControllerId { get; set; } = Environment.MachineName;

    /// <summary>
    /// RADIUS User-Name for a DHCP subscriber. Placeholders: {bng_id}, {remote_id}, {circuit_id}, {mac},
    /// {relay_id}, {interface}. The default is the reference system's form, e.g. bng-01/relay-01/1/0/3.
    /// </summary>
    public string UserNameTemplate { get; set; } = "{bng_id}/{remote_id}/{circuit_id}";

    /// <summary>PAP password sent in Access-Requests for DHCP subscribers (they have none of their own).</summary>
    public string SubscriberPassword { get; set; } = "aether";

    /// <summary>NAS-IP-Address in RADIUS requests.</summary>
    public string NasIpAddress { get; set; } = "127.0.0.1";

    /// <summary>How long an agent may reuse an Access-Accept before asking again.</summary>
    public int AuthorizationCacheSeconds { get; set; } = 300;

    /// <summary>RADIUS Interim-Update interval per session.</summary>
    public int AcctInterimIntervalSeconds { get; set; } = 300;

    /// <summary>
    /// Per-agent tokens (bng_id → token). When any is set, an agent must present
    /// "authorization: Bearer &lt;token&gt;" for its bng_id or its stream is refused. Prefer AgentTokensFile.
    /// </summary>
    public Dictionary<string, string> AgentTokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A file of "bng_id token" lines (# comments), read at start; merged into AgentTokens.</summary>
    public string? AgentTokensFile { get; set; }

    /// <summary>
    /// PEM file of the CA that signs agents' client certificates. When set, an agent's stream is accepted only over
    /// TLS with a client certificate from this CA whose common name is the agent's bng_id (the gRPC endpoint needs
    /// ClientCertificateMode AllowCertificate or RequireCertificate).
    /// </summary>
    public string? AgentCaFile { get; set; }

    /// <summary>The largest message an agent (or an Operations API client) may send; larger ones end the call with ResourceExhausted.</summary>
    public int MaxReceiveMessageBytes { get; set; } = DefaultMaxReceiveMessageBytes;

    /// <summary>A hello carries every session the agent holds (about 150 bytes each): 32 MB is 200,000 sessions.</summary>
    public const int DefaultMaxReceiveMessageBytes = 32 * 1024 * 1024;

    /// <summary>Rates applied when an Access-Accept carries none (kbit/s).</summary>
    public long DefaultDownloadKbps { get; set; } = 1_000_000;

    public long DefaultUploadKbps { get; set; } = 1_000_000;

    /// <summary>Messages queued towards one agent before the stream is considered stuck.</summary>
    public int AgentQueueCapacity { get; set; } = 4_096;

    /// <summary>
    /// Reports (SessionStarted, SessionStopped, PolicyApplied, Health, Counters) queued per agent stream before their
    /// events are sent; when the queue is full the controller stops reading that stream until there is room.
    /// </summary>
    public int ReportQueueCapacity { get; set; } = 1_024;

    /// <summary>
    /// Accounting-Requests in flight at once. A session's records are always sent one after another (a Stop never
    /// overtakes its Start); different sessions' go concurrently.
    /// </summary>
    public int AccountingConcurrency { get; set; } = 16;

    /// <summary>Reports per agent stream whose events are sent to JetStream and not yet acknowledged by it.</summary>
    public int ReportsInFlight { get; set; } = 256;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(UserNameTemplate))
        {
            errors.Add("Controller:UserNameTemplate is required.");
        }
        if (!IPAddress.TryParse(NasIpAddress, out _))
        {
            errors.Add($"Controller:NasIpAddress '{NasIpAddress}' is not an IP address.");
        }
        if (AuthorizationCacheSeconds < 1)
        {
            errors.Add("Controller:AuthorizationCacheSeconds must be at least 1.");
        }
        if (DefaultDownloadKbps < 8 || DefaultUploadKbps < 8)
        {
            errors.Add("Controller:DefaultDownloadKbps and DefaultUploadKbps must be at least 8.");
        }
        if (AcctInterimIntervalSeconds < 10)
        {
            errors.Add("Controller:AcctInterimIntervalSeconds must be at least 10.");
        }
        if (AgentTokensFile is not null && !File.Exists(AgentTokensFile))
        {
            errors.Add($"Controller:AgentTokensFile '{AgentTokensFile}' does not exist.");
        }
        if (AgentCaFile is not null)
        {
            if (!File.Exists(AgentCaFile))
            {
                errors.Add($"Controller:AgentCaFile '{AgentCaFile}' does not exist.");
            }
            else
            {
                try
                {
                    var authority = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                    authority.ImportFromPemFile(AgentCaFile);
                    if (authority.Count == 0)
                    {
                        errors.Add($"Controller:AgentCaFile '{AgentCaFile}' holds no certificate.");
                    }
                }
                catch (System.Security.Cryptography.CryptographicException ex)
                {
                    errors.Add($"Controller:AgentCaFile '{AgentCaFile}' is not a PEM certificate file: {ex.Message}");
                }
            }
        }
        if (MaxReceiveMessageBytes < 64 * 1024)
        {
            errors.Add("Controller:MaxReceiveMessageBytes must be at least 65536.");
        }
        if (AgentQueueCapacity < 16)
        {
            errors.Add("Controller:AgentQueueCapacity must be at least 16.");
        }
        if (ReportQueueCapacity < 1)
        {
            errors.Add("Controller:ReportQueueCapacity must be at least 1.");
        }
        if (AccountingConcurrency is < 1 or > 256)
        {
            errors.Add("Controller:AccountingConcurrency must be between 1 and 256.");
        }
        if (ReportsInFlight < 1)
        {
            errors.Add("Controller:ReportsInFlight must be at least 1.");
        }
        return errors;
    }
}

internal sealed class ControllerOptionsValidator : IValidateOptions<ControllerOptions>
{
    public ValidateOptionsResult Validate(string? name, ControllerOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
