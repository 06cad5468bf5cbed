using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Agents;

/// <summary>
/// Agents' client certificates (Controller:AgentCaFile): a certificate is trusted only when it chains to that CA
/// and is meant for client authentication, and an agent's stream is accepted only when the certificate's common
/// name is its bng_id. Off when no CA file is configured.
/// </summary>
internal sealed partial class AgentCertificates : IDisposable
{
    // Extended key usage "TLS client authentication" (RFC 5280 4.2.1.12).
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authority = [];
    private readonly ILogger<AgentCertificates> _logger;

    public AgentCertificates(IOptions<ControllerOptions> options, ILogger<AgentCertificates> logger)
    {
        _logger = logger;
        if (options.Value.AgentCaFile is { } file)
        {
            _authority.ImportFromPemFile(file);
        }
    }

    public bool Enabled => _authority.Count > 0;

    /// <summary>For Kestrel's handshake: whether a presented client certificate chains to the agents' CA.</summary>
    public bool IsTrusted(X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if (!Enabled)
        {
            // No CA of ours: the platform's verdict stands.
            return errors == SslPolicyErrors.None;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        if (chain.Build(certificate))
        {
            return true;
        }
        LogUntrusted(certificate.Subject, certificate.Thumbprint, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        return false;
    }

    /// <summary>Whether <paramref name="certificate"/> (already trusted by the handshake) names <paramref name="bngId"/>.</summary>
    public bool Matches(X509Certificate2? certificate, string bngId, out string presented)
    {
        presented = certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? "";
        return certificate is not null && string.Equals(presented, bngId, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var certificate in _authority)
        {
            certificate.Dispose();
        }
    }

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Refused a client certificate {Subject} ({Thumbprint}): {Reason}")]
    private partial void LogUntrusted(string subject, string thumbprint, string reason);
}
