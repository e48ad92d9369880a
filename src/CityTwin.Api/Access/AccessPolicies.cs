using CityTwin.Domain.Access;
using Microsoft.AspNetCore.Authorization;

namespace CityTwin.Api.Access;

/// <summary>One policy per kind of work; each endpoint group names the one it needs.</summary>
public static class AccessPolicies
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string Engineer = "engineer";
    public const string Admin = "admin";
    public const string Ingest = "ingest";
    /// <summary>Any valid credential, a device's included (who am I).</summary>
    public const string Any = "any";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Read, p => p.RequireRole(Roles.Readers));
        options.AddPolicy(Operate, p => p.RequireRole(Roles.Operators));
        options.AddPolicy(Engineer, p => p.RequireRole(Roles.Engineers));
        options.AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        options.AddPolicy(Ingest, p => p.RequireRole(Roles.Senders));
        options.AddPolicy(Any, p => p.RequireRole(Roles.All));
        // An endpoint that names no policy is still closed: readers only. Probes, metrics and the docs opt out.
        options.FallbackPolicy = options.GetPolicy(Read);
    }
}
