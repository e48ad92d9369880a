using CityTwin.Domain.Scenarios;
using Orleans.Concurrency;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// Exports a scenario's snapshot and demand as SUMO plain XML (a zip of the files and their netconvert and sumo
/// configurations), for a cross-check with the reference simulator. Stateless: any silo captures and writes it.
/// </summary>
[Alias("ISumoExportGrain")]
public interface ISumoExportGrain : IGrainWithIntegerKey
{
    [Alias("Export")]
    Task<SumoExportResult> ExportAsync(ScenarioSpec spec);
}

/// <summary>The zip, or why the spec was refused.</summary>
[GenerateSerializer, Immutable, Alias("SumoExportResult")]
public sealed record SumoExportResult(
    [property: Id(0)] ValidationError[] Errors,
    [property: Id(1)] byte[]? Zip);
