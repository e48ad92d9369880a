namespace CityTwin.Contracts.Events;

/// <summary>
/// A LEO link's condition, as its dependents need it, numbered by the link's version. <paramref name="CauseAt"/> is
/// when the change began.
/// </summary>
[GenerateSerializer, Immutable, Alias("LinkSignal")]
public sealed record LinkSignal(
    [property: Id(0)] string LinkId,
    [property: Id(1)] LinkCondition Condition,
    [property: Id(2)] long Sequence,
    [property: Id(3)] DateTimeOffset CauseAt,
    [property: Id(4)] DateTimeOffset SentAt);
