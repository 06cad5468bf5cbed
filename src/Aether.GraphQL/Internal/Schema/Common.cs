using System.Globalization;
using Aether.GraphQL.Internal.Data;
using GraphQL;
using GraphQL.Types;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class PageInfoGraphType : ObjectGraphType<PageInfo>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Field(x => x.HasNextPage);
        Field(x => x.EndCursor, nullable: true);
    }
}

/// <summary>A page of nodes with its pageInfo and, when the list has one, its totalCount (counted only when selected).</summary>
internal abstract class ConnectionGraphType<TNodeGraphType, TNode> : ObjectGraphType<Connection<TNode>>
    where TNodeGraphType : IGraphType
{
    protected ConnectionGraphType(string name, bool withTotalCount)
    {
        Name = name;
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeGraphType>>>>("nodes").Resolve(ctx => ctx.Source.Nodes);
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Resolve(ctx => ctx.Source.PageInfo);
        if (withTotalCount)
        {
            Field<NonNullGraphType<IntGraphType>>("totalCount").Resolve(ctx => ctx.Source.TotalCount ?? 0);
        }
    }
}

/// <summary>Helpers for resolvers: the request's context, ids, page sizes, date ranges.</summary>
internal static class Resolve
{
    public static AetherUserContext User(this IResolveFieldContext context) => (AetherUserContext)context.UserContext;

    public static DataLoaders Loaders(this IResolveFieldContext context) => context.User().Loaders;

    /// <summary>Whether the selection asks for the field, e.g. totalCount (so the count is made only then).</summary>
    public static bool Selects(this IResolveFieldContext context, string field) => context.SubFields?.ContainsKey(field) == true;

    public static long Id(string? value, string argument) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw ErrorCodes.BadInput($"{argument} '{value}' is not an id of this API (a positive number).");

    public static long? OptionalId(string? value, string argument) => value is null ? null : Id(value, argument);

    public static int First(this IResolveFieldContext context, int max)
    {
        var first = context.GetArgument("first", 50);
        return first >= 1 && first <= max ? first : throw ErrorCodes.BadInput($"first must be between 1 and {max}.");
    }

    public static string IdString(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    public static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Unspecified
        ? DateTime.SpecifyKind(value, DateTimeKind.Utc)
        : value.ToUniversalTime();
}
