using CityTwin.Storage;

namespace CityTwin.Api.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit log in the twin's database, its retention (section <c>Audit</c>) and the command wrapper.</summary>
    public static IHostApplicationBuilder AddCommandAudit(this IHostApplicationBuilder builder, StorageOptions storage)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection("Audit"));
        builder.Services.AddSingleton<IAuditLog>(new SqlAuditLog(storage));
        builder.Services.AddSingleton<CommandAudit>();
        builder.Services.AddHostedService<AuditRetention>();
        return builder;
    }
}
