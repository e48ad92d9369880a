namespace CityTwin.Contracts.Assets;

public enum UpsertOutcome
{
    Created,
    Updated,
    Unchanged,
    Invalid,
    NotFound,
}
