namespace CityTwin.Contracts.Alarms;

[GenerateSerializer, Alias("AlarmChangeKind")]
public enum AlarmChangeKind
{
    Raised,
    Updated,
    Cleared,
    Acknowledged,
    /// <summary>An operator shelved it (or its root cause): off the active board until the shelf's expiry.</summary>
    Shelved,
    /// <summary>Back on the board: unshelved by an operator, or its shelf expired while it was still active.</summary>
    Unshelved,
}
