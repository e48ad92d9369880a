namespace CityTwin.Contracts.Import;

[GenerateSerializer, Immutable, Alias("ImportCounts")]
public sealed record ImportCounts(
    [property: Id(0)] int Created,
    [property: Id(1)] int Updated,
    [property: Id(2)] int Unchanged)
{
    public static readonly ImportCounts None = new(0, 0, 0);
    public int Total => Created + Updated + Unchanged;
    public ImportCounts Add(ImportCounts o) => new(Created + o.Created, Updated + o.Updated, Unchanged + o.Unchanged);
}
