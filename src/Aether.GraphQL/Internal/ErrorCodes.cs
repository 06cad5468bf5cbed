using GraphQL;

namespace Aether.GraphQL.Internal;

/// <summary>The codes in errors[].extensions.code, and exceptions that carry them with a message safe to show.</summary>
internal static class ErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string BadUserInput = "BAD_USER_INPUT";
    public const string NotFound = "NOT_FOUND";
    public const string Conflict = "CONFLICT";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string Forbidden = "FORBIDDEN";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string Unavailable = "UNAVAILABLE";
    public const string Internal = "INTERNAL_SERVER_ERROR";

    public static ExecutionError BadInput(string message) => new(message) { Code = BadUserInput };

    public static ExecutionError NotFoundError(string message) => new(message) { Code = NotFound };

    public static ExecutionError ConflictError(string message) => new(message) { Code = Conflict };

    public static ExecutionError UnavailableError(string message) => new(message) { Code = Unavailable };
}
