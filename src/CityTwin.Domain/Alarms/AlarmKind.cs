namespace CityTwin.Domain.Alarms;

/// <summary>What an alarm is about; an asset holds at most one active alarm of each kind.</summary>
[GenerateSerializer, Alias("AlarmKind")]
public enum AlarmKind
{
    LinkDown,
    LinkDegraded,
    PowerLoss,
    CommsLoss,
    LampFault,
    FeedLost,
    ControllerFault,
    SignalDark,
    AdaptiveFallback,
}
