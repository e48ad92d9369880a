namespace CityTwin.Contracts.Alarms;

/// <summary>
/// An operator's shelf: the alarm (or every alarm of a root cause) is kept off the active board until
/// <paramref name="Until"/>, then comes back by itself if still active. <paramref name="Types"/>: the asset types a
/// group shelf covers (the shelving operator's scope; null: all).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmShelf")]
public sealed record AlarmShelf(
    [property: Id(0)] DateTimeOffset Until,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? By,
    [property: Id(3)] string? Note,
    [property: Id(4)] AssetType[]? Types = null)
{
    public bool Covers(AssetType type) => Types is null || Array.IndexOf(Types, type) >= 0;
}
