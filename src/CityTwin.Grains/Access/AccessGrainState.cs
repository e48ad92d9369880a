using CityTwin.Contracts.Access;

namespace CityTwin.Grains.Access;

[GenerateSerializer, Alias("AccessGrainState")]
public sealed class AccessGrainState
{
    [Id(0)] public long Version { get; set; }
    /// <summary>Revoked keys and shares stay, so a revocation is never undone by a later "ensure" and stays auditable.</summary>
    [Id(1)] public List<ApiKeyRecord> Keys { get; set; } = [];
    [Id(2)] public List<DataShare> Shares { get; set; } = [];
}
