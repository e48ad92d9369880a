namespace CityTwin.Contracts.Access;

/// <summary>Every key and share at one version; API processes hold a copy and ask only for newer versions.</summary>
[GenerateSerializer, Immutable, Alias("AccessList")]
public sealed record AccessList(
    [property: Id(0)] long Version,
    [property: Id(1)] ApiKeyRecord[] Keys,
    [property: Id(2)] DataShare[] Shares);
