using System.Reflection;
using System.Text.Json;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// The example specs of <c>docs/scenarios/*.json</c>, embedded in the API at build time (one source: the files the
/// README's curl lines post), parsed with the API's own JSON convention once, on first use. An example that does not
/// parse fails that first request loudly (and the end-to-end tests), rather than being served half right.
/// </summary>
public static class ScenarioExamples
{
    /// <summary>The embedded resources' names: this prefix + the file's name (see CityTwin.Api.csproj).</summary>
    public const string ResourcePrefix = "CityTwin.Api.Scenarios.";

    private static readonly Lazy<IReadOnlyList<ScenarioExample>> Loaded = new(Load);

    public static IReadOnlyList<ScenarioExample> All => Loaded.Value;

    private static List<ScenarioExample> Load()
    {
        var assembly = typeof(ScenarioExamples).Assembly;
        var examples = new List<ScenarioExample>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var spec = JsonSerializer.Deserialize<ScenarioSpec>(stream, CityTwinJson.Options)
                       ?? throw new InvalidDataException($"The embedded scenario example {name} is empty.");
            var id = Path.GetFileNameWithoutExtension(name[ResourcePrefix.Length..]);
            examples.Add(new ScenarioExample(id, spec.Name, spec));
        }
        return examples;
    }
}

/// <summary>One example: its file's name without <c>.json</c> (<c>link-down-evening-peak</c>), its title and the spec to submit.</summary>
public sealed record ScenarioExample(string Id, string Name, ScenarioSpec Spec);

public sealed record ScenarioExampleList(IReadOnlyList<ScenarioExample> Examples);
