namespace CityTwin.Domain.Access;

/// <summary>
/// What a caller may do. Each role is a set of abilities; <see cref="Admin"/> holds all of them, and a device only
/// sends readings.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Engineer = "engineer";
    public const string Admin = "admin";
    public const string Device = "device";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Engineer, Admin, Device];

    /// <summary>Every read and the live feed.</summary>
    public static readonly string[] Readers = [Viewer, Operator, Engineer, Admin];

    /// <summary>Incident commands: asset status, link status, district power, controllers, alarm acknowledgement.</summary>
    public static readonly string[] Operators = [Operator, Admin];

    /// <summary>What-if scenarios.</summary>
    public static readonly string[] Engineers = [Engineer, Admin];

    /// <summary>Telemetry ingest.</summary>
    public static readonly string[] Senders = [Device, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}
