using Microsoft.Extensions.Options;

namespace Aether.Controller.Reconciliation;

/// <summary>Settings of the lease reconciler (section "Reconciler").</summary>
internal sealed class ReconcilerOptions
{
    public const string SectionName = "Reconciler";

    /// <summary>Off unless Kea's control agent is configured.</summary>
    public bool Enabled { get; set; }

    /// <summary>Kea control agent, e.g. http://127.0.0.1:8000/.</summary>
    public string KeaControlAgentUrl { get; set; } = "";

    public string? KeaUser { get; set; }

    public string? KeaPassword { get; set; }

    /// <summary>A file holding the control agent's password (preferred over KeaPassword).</summary>
    public string? KeaPasswordFile { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a lease or a session must have existed alone before the reconciler acts on it.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(30);

    public string? ReadKeaPassword() => KeaPasswordFile is { } file ? File.ReadAllText(file).Trim() : KeaPassword;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }
        if (!Uri.TryCreate(KeaControlAgentUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Reconciler:KeaControlAgentUrl '{KeaControlAgentUrl}' is not a URL.");
        }
        if (KeaPasswordFile is not null && !File.Exists(KeaPasswordFile))
        {
            errors.Add($"Reconciler:KeaPasswordFile '{KeaPasswordFile}' does not exist.");
        }
        if (Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Reconciler:Interval must be at least 1 second.");
        }
        if (Grace < TimeSpan.Zero)
        {
            errors.Add("Reconciler:Grace must not be negative.");
        }
        return errors;
    }
}

internal sealed class ReconcilerOptionsValidator : IValidateOptions<ReconcilerOptions>
{
    public ValidateOptionsResult Validate(string? name, ReconcilerOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
