using System.Net;
using System.Net.Sockets;
using Aether.Agent.Control;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent;

/// <summary>Checks the whole agent configuration at start and reports every error at once.</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Errors(AgentOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.BngId))
        {
            errors.Add("Agent:BngId is required (this BNG's name, e.g. bng-01).");
        }
        else if (o.BngId.Length > byte.MaxValue)
        {
            errors.Add("Agent:BngId is longer than 255 octets (it is written as the Option 82 relay-id).");
        }
        if (!Uri.TryCreate(o.Controller, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            errors.Add($"Agent:Controller '{o.Controller}' is not an http(s) URL.");
        }
        TlsErrors(o, uri, errors);
        TokenErrors(o, errors);
        if (!IPAddress.TryParse(o.DhcpServer, out var server) || server.AddressFamily != AddressFamily.InterNetwork)
        {
            errors.Add($"Agent:DhcpServer '{o.DhcpServer}' is not an IPv4 address.");
        }
        if (o.DhcpServerPort is < 1 or > 65535)
        {
            errors.Add($"Agent:DhcpServerPort {o.DhcpServerPort} is not a UDP port.");
        }
        InterfaceErrors(o, errors);
        if (string.IsNullOrWhiteSpace(o.StateDirectory) || !Path.IsPathFullyQualified(o.StateDirectory))
        {
            errors.Add($"Agent:StateDirectory '{o.StateDirectory}' must be an absolute path.");
        }
        if (o.AuthorizeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Agent:AuthorizeTimeout must be positive.");
        }
        if (o.CounterInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Agent:CounterInterval must be at least 1 second.");
        }
        if (o.IdleTimeout < TimeSpan.Zero || (o.IdleTimeout > TimeSpan.Zero && o.IdleTimeout < o.CounterInterval))
        {
            errors.Add("Agent:IdleTimeout must be zero (off) or at least Agent:CounterInterval.");
        }
        if (o.HealthInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Agent:HealthInterval must be at least 1 second.");
        }
        if (o.ShapingShards is < 1 or > 256)
        {
            errors.Add("Agent:ShapingShards must be between 1 and 256.");
        }
        if (o.ClassPool is < 0 or > Sessions.ClassIdAllocator.Capacity)
        {
            errors.Add($"Agent:ClassPool must be between 0 (off) and {Sessions.ClassIdAllocator.Capacity} (the agent's tc class ids).");
        }
        else if (o.SubscriberInterfaces.Exists(i => i.ClassPool < 0)
            || (long)o.ClassPool + o.SubscriberInterfaces.Sum(i => (long)Math.Max(i.ClassPool, 0)) > Sessions.ClassIdAllocator.Capacity)
        {
            errors.Add($"Agent:SubscriberInterfaces:N:ClassPool must be 0 or more, and with Agent:ClassPool at most {Sessions.ClassIdAllocator.Capacity} in all (the agent's tc class ids).");
        }
        if (o.MaxHops is < 0 or > 255)
        {
            errors.Add("Agent:MaxHops must be between 0 and 255.");
        }
        if (string.IsNullOrWhiteSpace(o.NftTable) || !o.NftTable.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            errors.Add($"Agent:NftTable '{o.NftTable}' must be letters, digits, '_' or '-'.");
        }
        if (o.Headless.NewSubscribers == HeadlessPolicy.FailOpen && (o.Headless.DownloadKbps == 0 || o.Headless.UploadKbps == 0))
        {
            errors.Add("Agent:Headless:DownloadKbps and UploadKbps are required when Agent:Headless:NewSubscribers is FailOpen.");
        }
        if (o.Headless.DecisionLifetime < TimeSpan.FromSeconds(1))
        {
            errors.Add("Agent:Headless:DecisionLifetime must be at least 1 second.");
        }
        if (o.Journal.MaxEntries < 100)
        {
            errors.Add("Agent:Journal:MaxEntries must be at least 100.");
        }
        if (o.Journal.FlushInterval <= TimeSpan.Zero || o.Journal.FlushInterval > TimeSpan.FromSeconds(5))
        {
            errors.Add("Agent:Journal:FlushInterval must be between 0 and 5 seconds.");
        }
        for (var i = 0; i < o.SystemdUnits.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.SystemdUnits[i]))
            {
                errors.Add($"Agent:SystemdUnits:{i} is empty.");
            }
        }
        return errors;
    }

    private static void TlsErrors(AgentOptions o, Uri? controller, List<string> errors)
    {
        var tls = o.TlsCaFile is not null || o.TlsCertificateFile is not null || o.TlsKeyFile is not null;
        if (tls && controller is not null && controller.Scheme != "https")
        {
            errors.Add($"Agent:TlsCaFile, TlsCertificateFile and TlsKeyFile need an https Agent:Controller, not '{o.Controller}'.");
        }
        if (o.TlsCaFile is { } ca)
        {
            try
            {
                if (Control.ControllerChannel.LoadAuthority(ca).Count == 0)
                {
                    errors.Add($"Agent:TlsCaFile '{ca}' holds no certificate.");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                errors.Add($"Agent:TlsCaFile '{ca}' cannot be read as PEM certificates: {ex.Message}");
            }
        }
        if ((o.TlsCertificateFile is null) != (o.TlsKeyFile is null))
        {
            errors.Add("Agent:TlsCertificateFile and Agent:TlsKeyFile go together: set both or neither.");
        }
        else if (o.TlsCertificateFile is { } certificate && o.TlsKeyFile is { } key)
        {
            try
            {
                using var loaded = Control.ControllerChannel.LoadClientCertificate(certificate, key);
                var name = loaded.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
                if (!string.IsNullOrEmpty(o.BngId) && name != o.BngId)
                {
                    errors.Add($"Agent:TlsCertificateFile '{certificate}' is for '{name}', not this agent's bng id '{o.BngId}'.");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                errors.Add($"Agent:TlsCertificateFile '{certificate}' with Agent:TlsKeyFile '{key}' cannot be loaded: {ex.Message}");
            }
        }
    }

    private static void TokenErrors(AgentOptions o, List<string> errors)
    {
        // The token itself never appears in an error: only where it comes from and what is wrong with it.
        if (string.IsNullOrEmpty(o.TokenFile))
        {
            if (o.Token.Length > 0 && o.Token.Trim().Length == 0)
            {
                errors.Add("Agent:Token is only whitespace.");
            }
            return;
        }
        try
        {
            if (AgentToken.Read(o.TokenFile).Length == 0)
            {
                errors.Add($"Agent:TokenFile '{o.TokenFile}' is empty.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"Agent:TokenFile '{o.TokenFile}' cannot be read: {ex.Message}");
        }
    }

    private static void InterfaceErrors(AgentOptions o, List<string> errors)
    {
        if (o.SubscriberInterfaces.Count == 0)
        {
            errors.Add("Agent:SubscriberInterfaces needs at least one interface.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var gateways = new HashSet<Ipv4Address>();
        for (var i = 0; i < o.SubscriberInterfaces.Count; i++)
        {
            var s = o.SubscriberInterfaces[i];
            var at = $"Agent:SubscriberInterfaces:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add($"{at}:Name is required.");
            }
            else if (s.Name.Length > 11)
            {
                // Its shaping IFBs are named "<name>-dNN" and "<name>-uNN", and Linux names hold 15 characters.
                errors.Add($"{at}:Name '{s.Name}' is longer than 11 characters (its shaping IFBs '{s.Name}-d00' would not fit in 15).");
            }
            else if (!names.Add(s.Name))
            {
                errors.Add($"{at}:Name '{s.Name}' is configured twice.");
            }
            if (!Ipv4Address.TryParse(s.GatewayIp, out var giaddr) || giaddr.IsAny)
            {
                errors.Add($"{at}:GatewayIp '{s.GatewayIp}' is not an IPv4 address (it becomes giaddr).");
            }
            else if (!gateways.Add(giaddr))
            {
                errors.Add($"{at}:GatewayIp {s.GatewayIp} is used by another interface (replies are matched to interfaces by giaddr).");
            }
            if (!Enum.IsDefined(s.Option82))
            {
                errors.Add($"{at}:Option82 must be Trust, Insert or Untrusted.");
            }
            if (s.CircuitId.Length > byte.MaxValue || s.RemoteId.Length > byte.MaxValue)
            {
                errors.Add($"{at}: CircuitId and RemoteId hold at most 255 octets.");
            }
        }
    }
}
