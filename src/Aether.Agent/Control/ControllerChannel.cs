using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Aether.Agent.Control;

/// <summary>
/// The gRPC channel to the controller: HTTP/2 keep-alive pings, and with an https URL TLS that trusts
/// Agent:TlsCaFile (when set) and presents Agent:TlsCertificateFile/TlsKeyFile (when set).
/// </summary>
internal static class ControllerChannel
{
    public static GrpcChannel Create(AgentOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (options.TlsCertificateFile is { } certificate && options.TlsKeyFile is { } key)
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(certificate, key)];
        }
        if (options.TlsCaFile is { } ca)
        {
            var authority = LoadAuthority(ca);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                presented is X509Certificate2 server && IsSignedBy(server, authority, errors);
        }
        return GrpcChannel.ForAddress(options.Controller, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>The stream's headers: the bearer token, when one is configured.</summary>
    /// <summary>The stream's metadata: the agent's token (Agent:TokenFile read again at each connect) when it has one.</summary>
    public static Metadata? Headers(AgentOptions options) =>
        AgentToken.Resolve(options) is { } token ? new Metadata { { AgentToken.MetadataKey, AgentToken.Scheme + token } } : null;

    public static X509Certificate2Collection LoadAuthority(string path)
    {
        var authority = new X509Certificate2Collection();
        authority.ImportFromPemFile(path);
        return authority;
    }

    public static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // An ephemeral PEM key is not usable for TLS client authentication everywhere: give it a PKCS#12 round trip.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    private static bool IsSignedBy(X509Certificate2 server, X509Certificate2Collection authority, SslPolicyErrors errors)
    {
        // The host name must match the certificate whatever the CA.
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
