namespace CityTwin.Contracts.Assets;

[GenerateSerializer, Alias("UpsertOutcome")]
public enum UpsertOutcome
{
    Created,
    Updated,
    Unchanged,
    Invalid,
    NotFound,
    /// <summary>The asset is no longer as the command expected (a plan changed since it was read): nothing was written.</summary>
    Conflict,
}
