using CityTwin.Domain.Alarms;
using CityTwin.Domain.Cascades;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Assets;

/// <summary>How a reading is checked against its asset and folded into the asset's live state.</summary>
public static class TelemetryRules
{
    /// <summary>Device clocks drift; a reading further ahead of the twin's clock than this is refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public static List<ValidationError> Validate(AssetType type, Telemetry t, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        if (t.Timestamp is { } ts && ts > now + MaxClockSkew)
            errors.Add(new("timestamp", $"is more than {MaxClockSkew.TotalMinutes:0} minutes in the future"));

        void NotFor(AssetType owner, bool present, string field)
        {
            if (present && type != owner) errors.Add(new(field, $"is a {owner.ToString().ToLowerInvariant()} reading, not a {type.ToString().ToLowerInvariant()} one"));
        }
        NotFor(AssetType.Pole, t.LampOn is not null, "lampOn");
        NotFor(AssetType.Pole, t.DimLevel is not null, "dimLevel");
        NotFor(AssetType.Pole, t.PowerW is not null, "powerW");
        NotFor(AssetType.Pole, t.EnergyKWh is not null, "energyKWh");
        NotFor(AssetType.Pole, t.IlluminanceLevel is not null, "illuminanceLevel");
        NotFor(AssetType.Pole, t.LampFault is not null, "lampFault");
        NotFor(AssetType.Pole, t.DriverFault is not null, "driverFault");
        NotFor(AssetType.Camera, t.FeedOnline is not null, "feedOnline");
        NotFor(AssetType.Camera, t.FrameRate is not null, "frameRate");
        NotFor(AssetType.Camera, t.VehicleCount is not null, "vehicleCount");
        NotFor(AssetType.Camera, t.PedestrianCount is not null, "pedestrianCount");
        NotFor(AssetType.Camera, t.DetectionConfidence is not null, "detectionConfidence");
        NotFor(AssetType.Intersection, t.QueueLength is not null, "queueLength");
        NotFor(AssetType.Intersection, t.DelaySeconds is not null, "delaySeconds");
        NotFor(AssetType.Intersection, t.FlowVehPerHour is not null, "flowVehPerHour");
        NotFor(AssetType.Link, t.SatelliteId is not null, "satelliteId");
        NotFor(AssetType.Link, t.ElevationDeg is not null, "elevationDeg");
        NotFor(AssetType.Link, t.SlantRangeKm is not null, "slantRangeKm");
        NotFor(AssetType.Link, t.LatencyMs is not null, "latencyMs");
        NotFor(AssetType.Link, t.ThroughputMbps is not null, "throughputMbps");
        NotFor(AssetType.Link, t.PacketLossPct is not null, "packetLossPct");
        NotFor(AssetType.Link, t.RainFadeDb is not null, "rainFadeDb");

        AssetValidator.Range(errors, "dimLevel", t.DimLevel, 0, 100);
        AssetValidator.Range(errors, "powerW", t.PowerW, 0, 2_000);
        AssetValidator.Range(errors, "energyKWh", t.EnergyKWh, 0, 1e9);
        AssetValidator.Range(errors, "illuminanceLevel", t.IlluminanceLevel, 0, 1);
        AssetValidator.Range(errors, "frameRate", t.FrameRate, 0, 240);
        AssetValidator.Range(errors, "detectionConfidence", t.DetectionConfidence, 0, 1);
        if (t.VehicleCount < 0) errors.Add(new("vehicleCount", "must not be negative"));
        if (t.PedestrianCount < 0) errors.Add(new("pedestrianCount", "must not be negative"));
        AssetValidator.PerApproach(errors, "queueLength", t.QueueLength, 0, 10_000);
        AssetValidator.PerApproach(errors, "delaySeconds", t.DelaySeconds, 0, 3_600);
        AssetValidator.Range(errors, "flowVehPerHour", t.FlowVehPerHour, 0, 50_000);
        if (t.SatelliteId is not null && !Ids.IsValid(t.SatelliteId)) errors.Add(new("satelliteId", "must be a valid id"));
        AssetValidator.LinkRanges(errors, "", t.ElevationDeg, t.SlantRangeKm, t.LatencyMs, t.ThroughputMbps, t.PacketLossPct, t.RainFadeDb);
        return errors;
    }

    /// <summary>True when the reading is older than the newest one already applied (late or duplicate delivery).</summary>
    public static bool IsStale(Asset a, Telemetry t) => t.Timestamp is { } ts && a.TelemetryAt is { } last && ts <= last;

    /// <summary>
    /// Folds a valid, fresh reading into the asset's reported attributes (derive the rest with <see cref="Cascades.CascadeRules"/>).
    /// Does not bump the version: telemetry is not a configuration change.
    /// </summary>
    public static Asset Apply(Asset a, Telemetry t, DateTimeOffset now)
    {
        var at = t.Timestamp ?? now;
        return a.Type switch
        {
            AssetType.Pole when a.Pole is { } p => a with
            {
                Pole = p with
                {
                    LampOn = t.LampOn ?? p.LampOn,
                    DimLevel = t.DimLevel ?? p.DimLevel,
                    PowerW = t.PowerW ?? p.PowerW,
                    EnergyKWh = t.EnergyKWh ?? p.EnergyKWh,
                    IlluminanceLevel = t.IlluminanceLevel ?? p.IlluminanceLevel,
                    LampFault = t.LampFault ?? p.LampFault,
                    DriverFault = t.DriverFault ?? p.DriverFault,
                },
                TelemetryAt = at,
            },
            AssetType.Camera when a.Camera is { } c => a with
            {
                Camera = c with
                {
                    DeviceFeedOnline = t.FeedOnline ?? c.DeviceFeedOnline,
                    FrameRate = t.FrameRate ?? c.FrameRate,
                    VehicleCount = t.VehicleCount ?? c.VehicleCount,
                    PedestrianCount = t.PedestrianCount ?? c.PedestrianCount,
                    DetectionConfidence = t.DetectionConfidence ?? c.DetectionConfidence,
                },
                TelemetryAt = at,
            },
            AssetType.Intersection when a.Intersection is { } i => a with
            {
                Intersection = i with
                {
                    QueueLength = t.QueueLength ?? i.QueueLength,
                    DelaySeconds = t.DelaySeconds ?? i.DelaySeconds,
                    FlowVehPerHour = t.FlowVehPerHour ?? i.FlowVehPerHour,
                },
                TelemetryAt = at,
            },
            AssetType.Link when a.Link is { } l => a with
            {
                Link = l with
                {
                    SatelliteId = t.SatelliteId ?? l.SatelliteId,
                    Handovers = t.SatelliteId is { } sat && sat != l.SatelliteId && l.SatelliteId is not null ? l.Handovers + 1 : l.Handovers,
                    ElevationDeg = t.ElevationDeg ?? l.ElevationDeg,
                    SlantRangeKm = t.SlantRangeKm ?? l.SlantRangeKm,
                    LatencyMs = t.LatencyMs ?? l.LatencyMs,
                    ThroughputMbps = t.ThroughputMbps ?? l.ThroughputMbps,
                    PacketLossPct = t.PacketLossPct ?? l.PacketLossPct,
                    RainFadeDb = t.RainFadeDb ?? l.RainFadeDb,
                },
                TelemetryAt = at,
            },
            _ => a,
        };
    }

    /// <summary>
    /// <paramref name="target"/> with everything devices report taken from <paramref name="live"/> when that is newer
    /// (its <see cref="Asset.TelemetryAt"/> later; an intersection's camera counts each by its own time), derived again;
    /// <paramref name="target"/> itself otherwise. The district holds its assets' newest readings (the live telemetry),
    /// the asset grain the rest: this joins the two.
    /// </summary>
    public static Asset Overlay(Asset target, Asset? live)
    {
        if (live is null || live.Type != target.Type) return target;
        var counted = live.Intersection is { } li ? li.Cameras.Aggregate(target, (a, f) => f.CountAt is { } c ? Counted(a, f.CameraId, f.VehicleCount, c) : a) : target;
        if (live.TelemetryAt is not { } at || (target.TelemetryAt is { } own && own >= at))
            return ReferenceEquals(counted, target) ? target : CascadeRules.Derive(counted);
        target = counted;
        var joined = target.Type switch
        {
            AssetType.Pole when target.Pole is { } p && live.Pole is { } l => target with
            {
                Pole = p with
                {
                    LampOn = l.LampOn, DimLevel = l.DimLevel, PowerW = l.PowerW, EnergyKWh = l.EnergyKWh,
                    IlluminanceLevel = l.IlluminanceLevel, LampFault = l.LampFault, DriverFault = l.DriverFault,
                },
            },
            AssetType.Camera when target.Camera is { } c && live.Camera is { } l => target with
            {
                Camera = c with
                {
                    DeviceFeedOnline = l.DeviceFeedOnline, FrameRate = l.FrameRate, VehicleCount = l.VehicleCount,
                    PedestrianCount = l.PedestrianCount, DetectionConfidence = l.DetectionConfidence,
                },
            },
            AssetType.Intersection when target.Intersection is { } i && live.Intersection is { } l => target with
            {
                Intersection = i with { QueueLength = l.QueueLength, DelaySeconds = l.DelaySeconds, FlowVehPerHour = l.FlowVehPerHour },
            },
            AssetType.Link when target.Link is { } k && live.Link is { } l => target with
            {
                Link = k with
                {
                    SatelliteId = l.SatelliteId, Handovers = l.Handovers, ElevationDeg = l.ElevationDeg, SlantRangeKm = l.SlantRangeKm,
                    LatencyMs = l.LatencyMs, ThroughputMbps = l.ThroughputMbps, PacketLossPct = l.PacketLossPct, RainFadeDb = l.RainFadeDb,
                },
            },
            _ => target,
        };
        return CascadeRules.Derive(joined with { TelemetryAt = at });
    }

    /// <summary>
    /// The intersection with one of its cameras' vehicle counts taken in — not derived (derive once after a batch of
    /// counts). A count of a camera it does not have, of a feed that is off line, no newer than the count it holds, or
    /// the same count changes nothing (<paramref name="intersection"/> itself is returned), so counts may arrive late,
    /// twice, or from both the district and the grain.
    /// </summary>
    public static Asset Counted(Asset intersection, string cameraId, int vehicleCount, DateTimeOffset at)
    {
        if (intersection.Intersection is not { } i) return intersection;
        for (var k = 0; k < i.Cameras.Length; k++)
        {
            var feed = i.Cameras[k];
            if (feed.CameraId != cameraId) continue;
            if (!feed.Online || feed.CountAt >= at || feed.VehicleCount == vehicleCount) return intersection;
            CameraFeed[] cameras = [.. i.Cameras];
            cameras[k] = feed with { VehicleCount = vehicleCount, CountAt = at };
            return intersection with { Intersection = i with { Cameras = cameras } };
        }
        return intersection;
    }

    /// <summary>
    /// What the asset's devices last reported, as one reading (its <see cref="Telemetry.Timestamp"/> the asset's
    /// <see cref="Asset.TelemetryAt"/>): how a district stores its live telemetry, a few fields an asset rather than the asset.
    /// </summary>
    public static Telemetry? Reported(Asset a) => a.TelemetryAt is not { } at ? null : a.Type switch
    {
        AssetType.Pole when a.Pole is { } p => new Telemetry
        {
            Timestamp = at, LampOn = p.LampOn, DimLevel = p.DimLevel, PowerW = p.PowerW, EnergyKWh = p.EnergyKWh,
            IlluminanceLevel = p.IlluminanceLevel, LampFault = p.LampFault, DriverFault = p.DriverFault,
        },
        AssetType.Camera when a.Camera is { } c => new Telemetry
        {
            Timestamp = at, FeedOnline = c.DeviceFeedOnline, FrameRate = c.FrameRate, VehicleCount = c.VehicleCount,
            PedestrianCount = c.PedestrianCount, DetectionConfidence = c.DetectionConfidence,
        },
        AssetType.Intersection when a.Intersection is { } i => new Telemetry
        {
            Timestamp = at, QueueLength = i.QueueLength, DelaySeconds = i.DelaySeconds, FlowVehPerHour = i.FlowVehPerHour,
        },
        AssetType.Link when a.Link is { } l => new Telemetry
        {
            Timestamp = at, SatelliteId = l.SatelliteId, ElevationDeg = l.ElevationDeg, SlantRangeKm = l.SlantRangeKm,
            LatencyMs = l.LatencyMs, ThroughputMbps = l.ThroughputMbps, PacketLossPct = l.PacketLossPct, RainFadeDb = l.RainFadeDb,
        },
        _ => null,
    };

    /// <summary>
    /// <paramref name="target"/> with a stored <see cref="Reported"/> reading applied when it is newer; <paramref name="target"/>
    /// itself otherwise. (A link whose satellite changed counts one handover, however many there were in between.)
    /// </summary>
    public static Asset Overlay(Asset target, Telemetry? reported) =>
        reported?.Timestamp is { } at && (target.TelemetryAt is not { } own || own < at)
            ? CascadeRules.Derive(Apply(target, reported, at))
            : target;

    /// <summary>
    /// True when <paramref name="after"/> (a reading applied to <paramref name="before"/>, both derived) calls for the
    /// asset's behaviour: another status, other alarms, a camera feed lost or back. Anything else a reading changes —
    /// dim levels, counts, latencies — is live telemetry the district applies without the asset grain.
    /// </summary>
    public static bool ChangesBehaviour(Asset before, Asset after)
    {
        if (before.Status != after.Status || before.Camera?.FeedOnline != after.Camera?.FeedOnline) return true;
        // Of what readings set, alarms read only the faults and the feed (AlarmRules): without a change there, the
        // alarms are the same, and most readings skip evaluating them twice.
        if (before.Pole?.LampFault == after.Pole?.LampFault && before.Pole?.DriverFault == after.Pole?.DriverFault) return false;
        return !AlarmRules.Same(AlarmRules.Evaluate(before), AlarmRules.Evaluate(after));
    }
}
