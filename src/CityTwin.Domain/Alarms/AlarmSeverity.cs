namespace CityTwin.Domain.Alarms;

/// <summary>Alarm severity, least to most severe (ITU-T X.733 perceived severities without "indeterminate").</summary>
[GenerateSerializer, Alias("AlarmSeverity")]
public enum AlarmSeverity
{
    Warning,
    Minor,
    Major,
    Critical,
}
