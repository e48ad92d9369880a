namespace CityTwin.Contracts.Alarms;

public enum AlarmChangeKind
{
    Raised,
    Updated,
    Cleared,
    Acknowledged,
}
