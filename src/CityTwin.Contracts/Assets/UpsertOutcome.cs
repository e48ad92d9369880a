namespace CityTwin.Contracts.Assets;

[GenerateSerializer, Alias("UpsertOutcome")]
public enum UpsertOutcome
{
    Created,
    Updated,
    Unchanged,
    Invalid,
    NotFound,
}
