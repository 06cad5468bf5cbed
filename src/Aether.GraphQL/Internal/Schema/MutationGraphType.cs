using Aether.GraphQL.Internal.Provisioning;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using ProvisioningService = Aether.GraphQL.Internal.Provisioning.Provisioning;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class MutationGraphType : ObjectGraphType
{
    public MutationGraphType()
    {
        Name = "Mutation";
        Description = "Every mutation needs an API key with the operator role.";

        Field<NonNullGraphType<CustomerGraphType>>("createCustomer")
            .Argument<NonNullGraphType<CreateCustomerInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                return await Service(ctx).CreateCustomerAsync(
                    new CustomerInput(input.String("name")!, input.String("email")!, input.String("phone"), input.String("address")), ctx.CancellationToken);
            });

        Field<NonNullGraphType<CustomerGraphType>>("updateCustomer")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<UpdateCustomerInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                var update = new CustomerUpdate(input.OptionalString("name"), input.OptionalString("email"), input.OptionalString("phone"),
                    input.OptionalString("address"));
                return await Service(ctx).UpdateCustomerAsync(Id(ctx), update, ctx.CancellationToken);
            });

        Field<NonNullGraphType<IdGraphType>>("deleteCustomer")
            .Description("Deletes the customer, its services and their RADIUS rows.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async ctx =>
            {
                var id = Id(ctx);
                await Service(ctx).DeleteCustomerAsync(id, ctx.CancellationToken);
                return Resolve.IdString(id);
            });

        Field<NonNullGraphType<PlanGraphType>>("createPlan")
            .Argument<NonNullGraphType<CreatePlanInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                return await Service(ctx).CreatePlanAsync(
                    new PlanInput(input.String("name")!, input.Long("downloadKbps")!.Value, input.Long("uploadKbps")!.Value, input.Long("burstKbps")),
                    ctx.CancellationToken);
            });

        Field<NonNullGraphType<PlanUpdateGraphType>>("updatePlan")
            .Description(
                "Changes a plan. New rates are written to radreply of every subscriber on it, and sent to their live sessions " +
                "whose rates differ (CoA through the BNG agent).")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<UpdatePlanInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                var update = new PlanUpdate(input.OptionalString("name"), input.OptionalLong("downloadKbps"), input.OptionalLong("uploadKbps"),
                    input.OptionalLong("burstKbps"));
                return await Service(ctx).UpdatePlanAsync(Id(ctx), update, ctx.CancellationToken);
            });

        Field<NonNullGraphType<IdGraphType>>("deletePlan")
            .Description("Deletes a plan that no service uses.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async ctx =>
            {
                var id = Id(ctx);
                await Service(ctx).DeletePlanAsync(id, ctx.CancellationToken);
                return Resolve.IdString(id);
            });

        Field<NonNullGraphType<ServiceGraphType>>("createService")
            .Description("Creates a service and writes its radcheck, radreply and radusergroup rows.")
            .Argument<NonNullGraphType<CreateServiceInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                return await Service(ctx).CreateServiceAsync(new ServiceInput(
                    Resolve.Id(input.String("customerId"), "customerId"), Resolve.Id(input.String("planId"), "planId"), input.Identity(),
                    input.String("status") ?? ServiceStatus.Active), ctx.CancellationToken);
            });

        Field<NonNullGraphType<ServiceGraphType>>("updateService")
            .Description("Changes a service and rewrites its RADIUS rows; a plan change reaches its live session (CoA).")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<UpdateServiceInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                var planId = input.Has("planId") ? Optional<long?>.Of(Resolve.Id(input.String("planId"), "planId")) : default;
                var update = new ServiceUpdate(planId, input.HasIdentity ? input.Identity() : null, input.OptionalString("status"));
                return await Service(ctx).UpdateServiceAsync(Id(ctx), update, ctx.CancellationToken);
            });

        Field<NonNullGraphType<IdGraphType>>("deleteService")
            .Description("Deletes a service and its RADIUS rows.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async ctx =>
            {
                var id = Id(ctx);
                await Service(ctx).DeleteServiceAsync(id, ctx.CancellationToken);
                return Resolve.IdString(id);
            });

        Field<NonNullGraphType<PlanAssignmentGraphType>>("assignPlan")
            .Description(
                "Binds a customer to a plan for one subscriber identity (the RADIUS User-Name, by default \"<bngId>/<remoteId>/<circuitId>\", " +
                "e.g. bng-01/relay-01/1/0/1): creates the service or moves it to the plan, writes radcheck (Cleartext-Password), radreply " +
                "(OSS-Download-Speed, OSS-Upload-Speed) and radusergroup in the same operation, and sends the plan's rates to a live session (CoA).")
            .Argument<NonNullGraphType<AssignPlanInputGraphType>>("input")
            .ResolveAsync(async ctx =>
            {
                var input = InputFields.Of(ctx, "input");
                return await Service(ctx).AssignPlanAsync(Resolve.Id(input.String("customerId"), "customerId"),
                    Resolve.Id(input.String("planId"), "planId"), input.Identity(), ctx.CancellationToken);
            });

        Field<NonNullGraphType<RadiusSyncGraphType>>("syncRadius")
            .Description(
                "Rewrites the RADIUS rows (radcheck, radreply, radusergroup) of one customer's services, or of every service when " +
                "customerId is left out, from the services and plans tables.")
            .Argument<IdGraphType>("customerId")
            .ResolveAsync(async ctx => await Service(ctx).SyncRadiusAsync(
                Resolve.OptionalId(ctx.GetArgument<string?>("customerId"), "customerId"), ctx.CancellationToken));

        Field<NonNullGraphType<SessionCommandResultGraphType>>("disconnectSession")
            .Description("Ends a live session through its BNG agent (RFC 5176 Disconnect semantics). Default cause: Admin-Reset.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<StringGraphType>("cause", "RFC 2866 Acct-Terminate-Cause, e.g. Admin-Reset")
            .ResolveAsync(async ctx => await Service(ctx).DisconnectAsync(ctx.GetArgument<string>("id"), ctx.GetArgument<string?>("cause"), ctx.CancellationToken));
    }

    private static ProvisioningService Service(IResolveFieldContext context) => context.RequestServices!.GetRequiredService<ProvisioningService>();

    private static long Id(IResolveFieldContext context) => Resolve.Id(context.GetArgument<string>("id"), "id");
}
