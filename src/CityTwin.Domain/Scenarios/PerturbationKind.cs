namespace CityTwin.Domain.Scenarios;

/// <summary>What a perturbation does to the variant; the fields of <see cref="Perturbation"/> it needs are listed with each.</summary>
[GenerateSerializer, Alias("PerturbationKind")]
public enum PerturbationKind
{
    /// <summary>A LEO ground terminal fails (targetId: link).</summary>
    LinkDown,
    /// <summary>Rain over a terminal (targetId: link, rainRateMmPerHour).</summary>
    LinkDegraded,
    /// <summary>A power feeder is cut (targetId: feeder id).</summary>
    FeederOutage,
    /// <summary>Every feeder of a district is cut, its LEO terminals too (district).</summary>
    DistrictOutage,
    /// <summary>A signal controller fails: the junction goes dark and runs as an all-way stop (targetId: intersection).</summary>
    ControllerFault,
    /// <summary>Cameras fail (targetIds: cameras, or district: all of its cameras).</summary>
    CameraFailure,
    /// <summary>Trips from or to a district, or the whole city, times a factor (factor, district optional).</summary>
    DemandFactor,
    /// <summary>New signal plans (targetIds: intersections, plan).</summary>
    SignalPlanChange,
    /// <summary>A dimming profile for a district or the city (lighting, district optional).</summary>
    LightingPolicy,
}
