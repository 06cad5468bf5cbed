using System.Globalization;
using Aether.Contracts.Agent.V1;
using Aether.Radius;

namespace Aether.Controller.Aaa;

/// <summary>
/// Turns the rate attributes of an Access-Accept or CoA-Request into a shaping policy. Forms understood,
/// first match wins: the plan's own OSS vendor attributes (kbit/s), WISPr-Bandwidth-Max-Down/Up (bit/s),
/// Mikrotik-Rate-Limit "rx/tx" (rx is the subscriber's upload), Filter-Id "down/up" in kbit/s with K/M/G
/// suffixes (as accel-ppp reads it).
/// </summary>
internal static class ShapingPolicyParser
{
    public const uint OssVendorId = 43242;
    public const byte OssDownloadSpeed = 1;
    public const byte OssUploadSpeed = 2;
    public const byte OssDownloadBurst = 3;
    public const byte OssUploadBurst = 4;
    public const uint MikrotikVendorId = 14988;
    public const byte MikrotikRateLimit = 8;
    public const uint WisprVendorId = 14122;
    public const byte WisprBandwidthMaxUp = 7;
    public const byte WisprBandwidthMaxDown = 8;

    public static ShapingPolicy? Parse(IReadOnlyList<RadiusAttribute> attributes)
    {
        uint? ossDown = null, ossUp = null, ossDownBurst = null, ossUpBurst = null, wisprDown = null, wisprUp = null;
        string? mikrotik = null, filterId = null;
        uint idleTimeout = 0;
        foreach (var a in attributes)
        {
            if (a.VendorId == 0 && a.Type == RadiusAttributeType.IdleTimeout && a.Value.Length == 4)
            {
                idleTimeout = a.AsUInt32();
                continue;
            }
            if (a.VendorId == OssVendorId && a.Value.Length == 4)
            {
                switch (a.VendorType)
                {
                    case OssDownloadSpeed: ossDown = a.AsUInt32(); break;
                    case OssUploadSpeed: ossUp = a.AsUInt32(); break;
                    case OssDownloadBurst: ossDownBurst = a.AsUInt32(); break;
                    case OssUploadBurst: ossUpBurst = a.AsUInt32(); break;
                }
            }
            else if (a.VendorId == WisprVendorId && a.Value.Length == 4)
            {
                if (a.VendorType == WisprBandwidthMaxDown)
                {
                    wisprDown = a.AsUInt32();
                }
                else if (a.VendorType == WisprBandwidthMaxUp)
                {
                    wisprUp = a.AsUInt32();
                }
            }
            else if (a.VendorId == MikrotikVendorId && a.VendorType == MikrotikRateLimit)
            {
                mikrotik = a.AsString();
            }
            else if (a.VendorId == 0 && a.Type == RadiusAttributeType.FilterId)
            {
                filterId ??= a.AsString();
            }
        }

        var policy = RatePolicy(ossDown, ossUp, ossDownBurst, ossUpBurst, wisprDown, wisprUp, mikrotik, filterId);
        if (policy is not null)
        {
            policy.IdleTimeoutSeconds = idleTimeout;
        }
        return policy;
    }

    private static ShapingPolicy? RatePolicy(uint? ossDown, uint? ossUp, uint? ossDownBurst, uint? ossUpBurst, uint? wisprDown, uint? wisprUp, string? mikrotik, string? filterId)
    {
        if (ossDown is not null || ossUp is not null)
        {
            return Policy("oss", ossDown ?? ossUp ?? 0, ossUp ?? ossDown ?? 0, ossDownBurst ?? 0, ossUpBurst ?? 0);
        }
        if (wisprDown is not null || wisprUp is not null)
        {
            return Policy("wispr", (wisprDown ?? wisprUp ?? 0) / 1000, (wisprUp ?? wisprDown ?? 0) / 1000, 0, 0);
        }
        if (mikrotik is not null && TryParsePair(mikrotik.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], bitsDefault: true, out var rx, out var tx))
        {
            // Mikrotik-Rate-Limit is rx/tx as the router sees it: rx is what the subscriber sends (upload).
            return Policy("mikrotik", tx, rx, 0, 0);
        }
        if (filterId is not null && TryParsePair(filterId, bitsDefault: false, out var down, out var up))
        {
            return Policy("filter-id", down, up, 0, 0);
        }
        return null;
    }

    private static ShapingPolicy Policy(string source, ulong downKbps, ulong upKbps, ulong downBurst, ulong upBurst) => new()
    {
        PolicyId = $"{source}:{downKbps}/{upKbps}",
        DownloadKbps = downKbps,
        UploadKbps = upKbps,
        DownloadBurstKbytes = downBurst,
        UploadBurstKbytes = upBurst,
    };

    /// <summary>"a/b" where each side is a number with an optional k/K, m/M or g/G suffix, in kbit/s.</summary>
    /// <param name="bitsDefault">When true a bare number is bit/s (Mikrotik); otherwise kbit/s (Filter-Id).</param>
    internal static bool TryParsePair(string text, bool bitsDefault, out ulong first, out ulong second)
    {
        first = second = 0;
        var parts = text.Trim().Split('/');
        if (parts.Length is < 1 or > 2)
        {
            return false;
        }
        if (!TryParseRate(parts[0], bitsDefault, out first))
        {
            return false;
        }
        if (parts.Length == 1)
        {
            second = first;
            return true;
        }
        return TryParseRate(parts[1], bitsDefault, out second);
    }

    internal static bool TryParseRate(string text, bool bitsDefault, out ulong kbps)
    {
        kbps = 0;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }
        var unit = char.ToUpperInvariant(text[^1]);
        double multiplier;
        var number = text;
        switch (unit)
        {
            case 'K': multiplier = 1; number = text[..^1]; break;
            case 'M': multiplier = 1_000; number = text[..^1]; break;
            case 'G': multiplier = 1_000_000; number = text[..^1]; break;
            default: multiplier = bitsDefault ? 0.001 : 1; break;
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }
        kbps = (ulong)Math.Round(value * multiplier);
        return kbps > 0;
    }
}
