namespace CityTwin.Api.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The command wrapper and the log's retention (section <c>Audit</c>); the log itself is written in the silos (IAuditGrain).</summary>
    public static IHostApplicationBuilder AddCommandAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection("Audit"));
        builder.Services.AddSingleton<CommandAudit>();
        builder.Services.AddHostedService<AuditRetention>();
        return builder;
    }
}
