using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Validation;

/// <summary>The invariants of an asset's configuration and live attributes. Field paths are the API's JSON names.</summary>
public static class AssetValidator
{
    public const int MaxNameLength = 200;
    public const int MaxNeighbours = 8;
    public const int MaxSensors = 16;

    /// <summary>Checks that need nothing but the asset itself.</summary>
    public static List<ValidationError> Validate(Asset a)
    {
        var errors = StructuralErrors(a);
        if (errors.Count > 0) return errors; // the checks below assume every collection is there
        if (!Ids.IsValid(a.Id)) errors.Add(new("id", $"must be 1–{Ids.MaxLength} characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit"));
        if (!Enum.IsDefined(a.Type)) errors.Add(new("type", "must be one of pole, camera, intersection, link"));
        if (!Enum.IsDefined(a.Status)) errors.Add(new("status", "is not a known status"));
        if (a.Name.Length > MaxNameLength) errors.Add(new("name", $"must be at most {MaxNameLength} characters"));
        if (!a.Location.IsValid) errors.Add(new("location", "must be a WGS84 point: longitude −180…180, latitude −90…90"));
        if (!Ids.IsValid(a.District)) errors.Add(new("district", "must be a valid id"));
        ValidateDependencies(a, errors);
        ValidateSlots(a, errors);
        return errors;
    }

    /// <summary>Checks that each dependency names an asset of the right type; <paramref name="typeOf"/> is null for unknown ids.</summary>
    public static IEnumerable<ValidationError> ValidateReferences(Asset a, Func<string, AssetType?> typeOf)
    {
        foreach (var (field, id, expected) in a.Dependencies.AssetReferences())
        {
            if (id == a.Id) continue; // reported by Validate as a self-dependency
            var actual = typeOf(id);
            if (actual is null) yield return new(field, $"refers to unknown asset '{id}'");
            else if (actual != expected) yield return new(field, $"refers to '{id}', a {actual.Value.ToString().ToLowerInvariant()}, but must be a {expected.ToString().ToLowerInvariant()}");
        }
    }

    /// <summary>Explicit JSON nulls where the model has collections or nested records.</summary>
    private static List<ValidationError> StructuralErrors(Asset a)
    {
        var errors = new List<ValidationError>();
        void NotNull(object? value, string field)
        {
            if (value is null) errors.Add(new(field, "must not be null"));
        }
        NotNull(a.Name, "name");
        NotNull(a.Dependencies, "dependencies");
        if (a.Dependencies is { } d)
        {
            NotNull(d.Neighbours, "dependencies.neighbours");
            for (var i = 0; i < (d.Neighbours?.Length ?? 0); i++)
            {
                NotNull(d.Neighbours![i], $"dependencies.neighbours[{i}]");
                NotNull(d.Neighbours[i]?.IntersectionId, $"dependencies.neighbours[{i}].intersectionId");
            }
        }
        if (a.Pole is { } p) NotNull(p.Sensors, "pole.sensors");
        if (a.Intersection is { } x)
        {
            NotNull(x.QueueLength, "intersection.queueLength");
            NotNull(x.DelaySeconds, "intersection.delaySeconds");
            NotNull(x.Plan, "intersection.plan");
            NotNull(x.Plan?.Phases, "intersection.plan.phases");
            for (var i = 0; i < (x.Plan?.Phases?.Length ?? 0); i++)
            {
                NotNull(x.Plan!.Phases[i], $"intersection.plan.phases[{i}]");
                NotNull(x.Plan.Phases[i]?.Approaches, $"intersection.plan.phases[{i}].approaches");
                NotNull(x.Plan.Phases[i]?.Name, $"intersection.plan.phases[{i}].name");
            }
        }
        return errors;
    }

    private static void ValidateDependencies(Asset a, List<ValidationError> errors)
    {
        var d = a.Dependencies;
        foreach (var (field, id, _) in d.AssetReferences())
        {
            if (!Ids.IsValid(id)) errors.Add(new(field, "must be a valid id"));
            else if (id == a.Id) errors.Add(new(field, "an asset cannot depend on itself"));
        }
        if (d.PowerFeederId is not null && !Ids.IsValid(d.PowerFeederId)) errors.Add(new("dependencies.powerFeederId", "must be a valid id"));
        if (d.BackhaulLinkId is not null && a.Type == AssetType.Link) errors.Add(new("dependencies.backhaulLinkId", "a link has no backhaul"));
        if (d.WatchedIntersectionId is not null && a.Type != AssetType.Camera) errors.Add(new("dependencies.watchedIntersectionId", "only a camera watches an intersection"));
        if (d.Neighbours.Length > 0 && a.Type != AssetType.Intersection) errors.Add(new("dependencies.neighbours", "only an intersection has neighbouring intersections"));
        if (d.Neighbours.Length > MaxNeighbours) errors.Add(new("dependencies.neighbours", $"at most {MaxNeighbours}"));
        if (d.Neighbours.Select(n => n.IntersectionId).Distinct().Count() != d.Neighbours.Length) errors.Add(new("dependencies.neighbours", "lists an intersection twice"));
        for (var i = 0; i < d.Neighbours.Length; i++)
        {
            var n = d.Neighbours[i];
            var f = $"dependencies.neighbours[{i}]";
            if (!(n.LengthM is > 0 and <= 10_000)) errors.Add(new($"{f}.lengthM", "must be in (0, 10000] metres"));
            if (n.Lanes is < 1 or > 8) errors.Add(new($"{f}.lanes", "must be 1–8"));
            if (!(n.SpeedLimitKmh is >= 5 and <= 130)) errors.Add(new($"{f}.speedLimitKmh", "must be 5–130 km/h"));
        }
    }

    private static void ValidateSlots(Asset a, List<ValidationError> errors)
    {
        void Foreign(object? slot, AssetType slotType, string name)
        {
            if (slot is not null && a.Type != slotType) errors.Add(new(name, $"only a {name} asset has '{name}' attributes"));
        }
        Foreign(a.Pole, AssetType.Pole, "pole");
        Foreign(a.Camera, AssetType.Camera, "camera");
        Foreign(a.Intersection, AssetType.Intersection, "intersection");
        Foreign(a.Link, AssetType.Link, "link");

        if (a.Pole is { } p)
        {
            Range(errors, "pole.dimLevel", p.DimLevel, 0, 100);
            Range(errors, "pole.ratedPowerW", p.RatedPowerW, 0, 2_000);
            Range(errors, "pole.powerW", p.PowerW, 0, 2_000);
            Range(errors, "pole.energyKWh", p.EnergyKWh, 0, 1e9);
            Range(errors, "pole.illuminanceLevel", p.IlluminanceLevel, 0, 1);
            if (p.Sensors.Length > MaxSensors || p.Sensors.Any(s => !Ids.IsValid(s))) errors.Add(new("pole.sensors", $"at most {MaxSensors} valid ids"));
        }
        if (a.Camera is { } c)
        {
            Range(errors, "camera.frameRate", c.FrameRate, 0, 240);
            Range(errors, "camera.detectionConfidence", c.DetectionConfidence, 0, 1);
            if (!Enum.IsDefined(c.Approach)) errors.Add(new("camera.approach", "must be north, east, south or west"));
            if (c.VehicleCount < 0) errors.Add(new("camera.vehicleCount", "must not be negative"));
            if (c.PedestrianCount < 0) errors.Add(new("camera.pedestrianCount", "must not be negative"));
        }
        if (a.Intersection is { } i)
        {
            if (!Enum.IsDefined(i.Mode)) errors.Add(new("intersection.mode", "is not a known control mode"));
            SignalPlanValidator.Validate(i.Plan, errors, "intersection.plan");
            PerApproach(errors, "intersection.queueLength", i.QueueLength, 0, 10_000);
            PerApproach(errors, "intersection.delaySeconds", i.DelaySeconds, 0, 3_600);
            Range(errors, "intersection.flowVehPerHour", i.FlowVehPerHour, 0, 50_000);
        }
        if (a.Link is { } l)
        {
            if (l.SatelliteId is not null && !Ids.IsValid(l.SatelliteId)) errors.Add(new("link.satelliteId", "must be a valid id"));
            LinkRanges(errors, "link", l.ElevationDeg, l.SlantRangeKm, l.LatencyMs, l.ThroughputMbps, l.PacketLossPct, l.RainFadeDb);
            if (l.Handovers < 0) errors.Add(new("link.handovers", "must not be negative"));
        }
    }

    /// <param name="prefix">"link" for an asset's attributes; "" for a reading, whose fields sit at the top level.</param>
    /// <summary>The values an operator may set with a link's condition (field names as in the request).</summary>
    public static List<ValidationError> ValidateLinkCondition(double? latencyMs, double? packetLossPct)
    {
        var errors = new List<ValidationError>();
        LinkRanges(errors, "", null, null, latencyMs, null, packetLossPct, null);
        return errors;
    }

    internal static void LinkRanges(List<ValidationError> errors, string prefix, double? elevation, double? slant, double? latency, double? throughput, double? loss, double? fade)
    {
        string Field(string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
        Range(errors, Field("elevationDeg"), elevation, 0, 90);
        Range(errors, Field("slantRangeKm"), slant, 0, 5_000);
        Range(errors, Field("latencyMs"), latency, 0, 10_000);
        Range(errors, Field("throughputMbps"), throughput, 0, 100_000);
        Range(errors, Field("packetLossPct"), loss, 0, 100);
        Range(errors, Field("rainFadeDb"), fade, 0, 100);
    }

    internal static void Range(List<ValidationError> errors, string field, double? value, double min, double max)
    {
        if (value is { } v && !(double.IsFinite(v) && v >= min && v <= max))
            errors.Add(new(field, $"must be between {min} and {max}"));
    }

    internal static void PerApproach(List<ValidationError> errors, string field, double[]? values, double min, double max)
    {
        if (values is null) return;
        if (values.Length != 4) { errors.Add(new(field, "must have 4 values: north, east, south, west")); return; }
        for (var k = 0; k < 4; k++) Range(errors, $"{field}[{k}]", values[k], min, max);
    }
}
