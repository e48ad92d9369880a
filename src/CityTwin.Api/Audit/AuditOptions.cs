namespace CityTwin.Api.Audit;

/// <summary>Section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    /// <summary>How long entries are kept; older ones are deleted once an hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(400);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
