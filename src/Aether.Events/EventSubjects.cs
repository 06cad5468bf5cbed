using System.Buffers;

namespace Aether.Events;

/// <summary>
/// Subjects are <c>{prefix}.{bng_id}.{type lower-case}</c>, e.g. <c>aether.events.bng-01.session_start</c>, so a
/// consumer can filter by BNG or by type with wildcards.
/// </summary>
public static class EventSubjects
{
    // Characters that would split or wildcard a subject token; replaced in the token only, the payload keeps the id.
    private static readonly SearchValues<char> s_unsafeTokenChars = SearchValues.Create(". *>\t\r\n");

    public static string For(string prefix, string bngId, string type) =>
        $"{prefix}.{Token(bngId)}.{Token(type.ToLowerInvariant())}";

    public static string For(EventStreamOptions options, AetherEvent value) =>
        For(options.SubjectPrefix, value.BngId, value.Type);

    /// <summary>The filter matching every event under the prefix.</summary>
    public static string All(string prefix) => $"{prefix}.>";

    /// <summary>The filter matching every event of one BNG.</summary>
    public static string ForBng(string prefix, string bngId) => $"{prefix}.{Token(bngId)}.*";

    internal static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return false;
        }

        foreach (var token in prefix.Split('.'))
        {
            if (token.Length == 0 || token.AsSpan().ContainsAny(s_unsafeTokenChars))
            {
                return false;
            }
        }

        return true;
    }

    private static string Token(string value)
    {
        if (value.Length == 0)
        {
            return "_";
        }

        if (!value.AsSpan().ContainsAny(s_unsafeTokenChars))
        {
            return value;
        }

        return string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = s_unsafeTokenChars.Contains(source[i]) ? '_' : source[i];
            }
        });
    }
}
