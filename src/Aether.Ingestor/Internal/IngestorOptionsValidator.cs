using Microsoft.Extensions.Options;

namespace Aether.Ingestor.Internal;

internal sealed class IngestorOptionsValidator : IValidateOptions<IngestorOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestorOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
