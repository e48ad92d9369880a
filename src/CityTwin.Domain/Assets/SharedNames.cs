using System.Collections.Concurrent;

namespace CityTwin.Domain.Assets;

/// <summary>
/// One string for each name many assets repeat (their district, backhaul link, power feeder), so a million assets hold
/// a few thousand strings. Not <see cref="string.Intern"/>: it takes the runtime's global lock on every call, and a
/// silo activating thousands of assets a second spent a twelfth of its CPU there; a hit here reads without a lock.
/// The names are the city's own (validated ids of districts, links and feeders), so the set stays as small as the city.
/// </summary>
public static class SharedNames
{
    private static readonly ConcurrentDictionary<string, string> Known = new(StringComparer.Ordinal);

    public static string Of(string name) => Known.GetOrAdd(name, name); // a hit is a lock-free read
}
