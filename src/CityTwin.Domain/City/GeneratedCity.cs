using CityTwin.Domain.Assets;

namespace CityTwin.Domain.City;

/// <summary>
/// A generated city: its assets with dependencies before dependents (links, intersections, cameras, poles),
/// its district ids, and the size of its road grid in intersections.
/// </summary>
public sealed record GeneratedCity(IReadOnlyList<Asset> Assets, IReadOnlyList<string> Districts, int Rows, int Columns);
