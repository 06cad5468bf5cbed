using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Provisioning;
using GraphQL.Types;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class CustomerGraphType : ObjectGraphType<CustomerRow>
{
    public CustomerGraphType()
    {
        Name = "Customer";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(ctx => Resolve.IdString(ctx.Source.CustomerId));
        Field(x => x.Name);
        Field(x => x.Email);
        Field(x => x.Phone, nullable: true);
        Field(x => x.Address, nullable: true);
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Resolve(ctx => Resolve.Utc(ctx.Source.CreatedAt));
        Field<NonNullGraphType<DateTimeGraphType>>("updatedAt").Resolve(ctx => Resolve.Utc(ctx.Source.UpdatedAt));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ServiceGraphType>>>>("services")
            .Resolve(ctx => ctx.Loaders().ServicesByCustomer.Load(ctx.Source.CustomerId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SessionGraphType>>>>("sessions")
            .Description("live sessions of the customer's services")
            .Resolve(ctx => ctx.Loaders().SessionsByCustomer.Load(ctx.Source.CustomerId));
        Field<NonNullGraphType<RadiusProfileGraphType>>("radiusProfile")
            .Description("the rows FreeRADIUS reads for the customer's subscriber identities")
            .Resolve(ctx => ctx.Loaders().RadiusProfileByCustomer.Load(ctx.Source.CustomerId));
    }
}

internal sealed class CustomerConnectionGraphType : ConnectionGraphType<CustomerGraphType, CustomerRow>
{
    public CustomerConnectionGraphType()
        : base("CustomerConnection", withTotalCount: true)
    {
    }
}

internal sealed class PlanGraphType : ObjectGraphType<PlanRow>
{
    public PlanGraphType()
    {
        Name = "Plan";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(ctx => Resolve.IdString(ctx.Source.PlanId));
        Field(x => x.Name).Description("also the subscribers' RADIUS group (radusergroup)");
        Field(x => x.DownloadKbps).Description("kbit/s, RADIUS OSS-Download-Speed");
        Field(x => x.UploadKbps).Description("kbit/s, RADIUS OSS-Upload-Speed");
        Field(x => x.BurstKbps, nullable: true).Description("kbit/s a subscriber may borrow up to (kept with the plan; not sent to RADIUS)");
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Resolve(ctx => Resolve.Utc(ctx.Source.CreatedAt));
        Field<NonNullGraphType<IntGraphType>>("serviceCount").Resolve(ctx => ctx.Loaders().ServiceCountByPlan.Load(ctx.Source.PlanId));
    }
}

internal sealed class ServiceGraphType : ObjectGraphType<ServiceRow>
{
    public ServiceGraphType()
    {
        Name = "Service";
        Description = "A customer's subscription on a plan for one subscriber identity.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(ctx => Resolve.IdString(ctx.Source.ServiceId));
        Field<NonNullGraphType<CustomerGraphType>>("customer").Resolve(ctx => ctx.Loaders().CustomerById.Load(ctx.Source.CustomerId));
        Field<NonNullGraphType<PlanGraphType>>("plan").Resolve(ctx => ctx.Loaders().PlanById.Load(ctx.Source.PlanId));
        Field(x => x.CircuitId, nullable: true);
        Field(x => x.RemoteId, nullable: true);
        Field(x => x.Username, nullable: true).Description("RADIUS User-Name");
        Field(x => x.Status).Description("ACTIVE (RADIUS rows present) or SUSPENDED (RADIUS rows removed: the subscriber is rejected)");
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Resolve(ctx => Resolve.Utc(ctx.Source.CreatedAt));
        Field<NonNullGraphType<DateTimeGraphType>>("updatedAt").Resolve(ctx => Resolve.Utc(ctx.Source.UpdatedAt));
        Field<SessionGraphType>("session")
            .Description("the live session authenticated with this User-Name, if any")
            .Resolve(ctx => ctx.Source.Username is { } u ? ctx.Loaders().SessionByUsername.Load(u) : null);
    }
}

internal sealed class ServiceConnectionGraphType : ConnectionGraphType<ServiceGraphType, ServiceRow>
{
    public ServiceConnectionGraphType()
        : base("ServiceConnection", withTotalCount: true)
    {
    }
}

internal sealed class RadiusProfileGraphType : ObjectGraphType<RadiusProfile>
{
    public RadiusProfileGraphType()
    {
        Name = "RadiusProfile";
        Field<NonNullGraphType<IdGraphType>>("customerId").Resolve(ctx => Resolve.IdString(ctx.Source.CustomerId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("usernames").Resolve(ctx => ctx.Source.Usernames);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RadiusAttributeRowGraphType>>>>("check")
            .Description("radcheck rows (password values masked)").Resolve(ctx => ctx.Source.Check);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RadiusAttributeRowGraphType>>>>("reply")
            .Description("radreply rows").Resolve(ctx => ctx.Source.Reply);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RadiusGroupRowGraphType>>>>("groups")
            .Description("radusergroup rows").Resolve(ctx => ctx.Source.Groups);
    }
}

internal sealed class RadiusAttributeRowGraphType : ObjectGraphType<RadiusAttributeRow>
{
    public RadiusAttributeRowGraphType()
    {
        Name = "RadiusAttributeRow";
        Field(x => x.Id);
        Field(x => x.Username);
        Field(x => x.Attribute);
        Field(x => x.Op);
        Field(x => x.Value);
    }
}

internal sealed class RadiusGroupRowGraphType : ObjectGraphType<RadiusGroupRow>
{
    public RadiusGroupRowGraphType()
    {
        Name = "RadiusGroupRow";
        Field(x => x.Id);
        Field(x => x.Username);
        Field(x => x.GroupName);
        Field(x => x.Priority);
    }
}

// ---- mutation inputs and payloads ----

internal sealed class CreateCustomerInputGraphType : InputObjectGraphType
{
    public CreateCustomerInputGraphType()
    {
        Name = "CreateCustomerInput";
        Field<NonNullGraphType<StringGraphType>>("name");
        Field<NonNullGraphType<StringGraphType>>("email");
        Field<StringGraphType>("phone");
        Field<StringGraphType>("address");
    }
}

internal sealed class UpdateCustomerInputGraphType : InputObjectGraphType
{
    public UpdateCustomerInputGraphType()
    {
        Name = "UpdateCustomerInput";
        Description = "Fields left out are unchanged; phone or address set to null are cleared.";
        Field<StringGraphType>("name");
        Field<StringGraphType>("email");
        Field<StringGraphType>("phone");
        Field<StringGraphType>("address");
    }
}

internal sealed class CreatePlanInputGraphType : InputObjectGraphType
{
    public CreatePlanInputGraphType()
    {
        Name = "CreatePlanInput";
        Field<NonNullGraphType<StringGraphType>>("name");
        Field<NonNullGraphType<LongGraphType>>("downloadKbps");
        Field<NonNullGraphType<LongGraphType>>("uploadKbps");
        Field<LongGraphType>("burstKbps");
    }
}

internal sealed class UpdatePlanInputGraphType : InputObjectGraphType
{
    public UpdatePlanInputGraphType()
    {
        Name = "UpdatePlanInput";
        Description = "Fields left out are unchanged.";
        Field<StringGraphType>("name");
        Field<LongGraphType>("downloadKbps");
        Field<LongGraphType>("uploadKbps");
        Field<LongGraphType>("burstKbps");
    }
}

internal sealed class CreateServiceInputGraphType : InputObjectGraphType
{
    public CreateServiceInputGraphType()
    {
        Name = "CreateServiceInput";
        Field<NonNullGraphType<IdGraphType>>("customerId");
        Field<NonNullGraphType<IdGraphType>>("planId");
        Field<StringGraphType>("bngId");
        Field<StringGraphType>("remoteId");
        Field<StringGraphType>("circuitId");
        Field<StringGraphType>("username").Description("RADIUS User-Name; default: the User-Name template filled with bngId, remoteId and circuitId");
        Field<StringGraphType>("status").Description("ACTIVE (default) or SUSPENDED");
    }
}

internal sealed class UpdateServiceInputGraphType : InputObjectGraphType
{
    public UpdateServiceInputGraphType()
    {
        Name = "UpdateServiceInput";
        Description = "Fields left out are unchanged. A new identity is given as username, or as bngId, remoteId and circuitId.";
        Field<IdGraphType>("planId");
        Field<StringGraphType>("bngId");
        Field<StringGraphType>("remoteId");
        Field<StringGraphType>("circuitId");
        Field<StringGraphType>("username");
        Field<StringGraphType>("status").Description("ACTIVE or SUSPENDED");
    }
}

internal sealed class AssignPlanInputGraphType : InputObjectGraphType
{
    public AssignPlanInputGraphType()
    {
        Name = "AssignPlanInput";
        Field<NonNullGraphType<IdGraphType>>("customerId");
        Field<NonNullGraphType<IdGraphType>>("planId");
        Field<StringGraphType>("bngId");
        Field<StringGraphType>("remoteId");
        Field<StringGraphType>("circuitId");
        Field<StringGraphType>("username").Description("RADIUS User-Name; default: the User-Name template filled with bngId, remoteId and circuitId");
    }
}

internal sealed class SessionCommandFailureGraphType : ObjectGraphType<SessionFailure>
{
    public SessionCommandFailureGraphType()
    {
        Name = "SessionCommandFailure";
        Field<NonNullGraphType<IdGraphType>>("sessionId").Resolve(ctx => ctx.Source.SessionId);
        Field(x => x.Message);
    }
}

internal sealed class PlanUpdateGraphType : ObjectGraphType<PlanUpdateResult>
{
    public PlanUpdateGraphType()
    {
        Name = "PlanUpdate";
        Field<NonNullGraphType<PlanGraphType>>("plan").Resolve(ctx => ctx.Source.Plan);
        Field(x => x.RadiusUsersUpdated).Description("subscribers whose RADIUS rows were rewritten");
        Field<NonNullGraphType<IntGraphType>>("sessionsUpdated").Description("live sessions the new rates were sent to").Resolve(ctx => ctx.Source.Rates.SessionsUpdated);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SessionCommandFailureGraphType>>>>("sessionFailures")
            .Description("live sessions that could not be reached").Resolve(ctx => ctx.Source.Rates.Failures);
    }
}

internal sealed class PlanAssignmentGraphType : ObjectGraphType<PlanAssignmentResult>
{
    public PlanAssignmentGraphType()
    {
        Name = "PlanAssignment";
        Field<NonNullGraphType<ServiceGraphType>>("service").Resolve(ctx => ctx.Source.Service);
        Field(x => x.Created).Description("true when the service did not exist before");
        Field<NonNullGraphType<IntGraphType>>("sessionsUpdated").Description("live sessions the new rates were sent to").Resolve(ctx => ctx.Source.Rates.SessionsUpdated);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SessionCommandFailureGraphType>>>>("sessionFailures")
            .Description("live sessions that could not be reached").Resolve(ctx => ctx.Source.Rates.Failures);
    }
}

internal sealed class RadiusSyncGraphType : ObjectGraphType<RadiusSyncResult>
{
    public RadiusSyncGraphType()
    {
        Name = "RadiusSync";
        Field(x => x.Written).Description("services whose rows were written (ACTIVE)");
        Field(x => x.Removed).Description("services whose rows were removed (not ACTIVE)");
    }
}

internal sealed class SessionCommandResultGraphType : ObjectGraphType<SessionCommandResult>
{
    public SessionCommandResultGraphType()
    {
        Name = "SessionCommandResult";
        Field<NonNullGraphType<IdGraphType>>("sessionId").Resolve(ctx => ctx.Source.SessionId);
        Field(x => x.BngId).Description("the BNG the command went to");
    }
}
