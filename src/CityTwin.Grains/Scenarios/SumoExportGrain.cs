using System.IO.Compression;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Traffic;
using Orleans.Concurrency;

namespace CityTwin.Grains.Scenarios;

/// <summary>Validates the spec, captures its snapshot read-only, writes the SUMO files off the scheduler and zips them.</summary>
[StatelessWorker]
public sealed class SumoExportGrain : Grain, ISumoExportGrain
{
    public async Task<SumoExportResult> ExportAsync(ScenarioSpec spec)
    {
        var errors = ScenarioValidator.Validate(spec);
        if (errors.Count > 0) return new([.. errors], null);
        if (spec.SnapshotId is { } snapshotId && !await SnapshotCapture.ExistsAsync(GrainFactory, snapshotId))
            return new([SnapshotCapture.Unknown("snapshotId")], null);
        var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec);
        errors = ScenarioValidator.Validate(spec, snapshot);
        if (errors.Count > 0) return new([.. errors], null);
        return new([], await Task.Run(() => Zip(spec, snapshot)));
    }

    private static byte[] Zip(ScenarioSpec spec, TwinSnapshot snapshot)
    {
        var directory = Directory.CreateTempSubdirectory("citytwin-sumo-").FullName;
        try
        {
            var files = SumoExport.Write(spec, snapshot, directory);
            using var buffer = new MemoryStream();
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var file in files) zip.CreateEntryFromFile(file, Path.GetFileName(file), CompressionLevel.Fastest);
            return buffer.ToArray();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
