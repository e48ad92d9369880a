using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Queries;

/// <summary>How an attribute's value reads and compares: numbers as they are, booleans as 0/1, enums by ordinal.</summary>
[GenerateSerializer, Alias("AttributeKind")]
public enum AttributeKind
{
    Number,
    Boolean,
    Enum,
}

/// <summary>One live attribute the read model keeps for each asset of <paramref name="Type"/> and queries can filter on.</summary>
public sealed record AssetAttribute(string Name, AssetType Type, int Slot, AttributeKind Kind, string[] EnumNames, Func<Asset, double> Read)
{
    /// <summary>The value as JSON would show it: a number, true/false, or the enum's name.</summary>
    public object Display(double value) => Kind switch
    {
        AttributeKind.Boolean => value != 0,
        AttributeKind.Enum => EnumNames[(int)value],
        _ => value,
    };
}

/// <summary>
/// The live attributes the read model indexes, per asset type (names as the API spells them). An asset's values
/// travel as one <c>double[]</c> in the order listed here: compact enough for a million assets in memory.
/// </summary>
public static class AssetAttributes
{
    private static readonly AssetAttribute[][] ByType = Build();

    public static IReadOnlyList<AssetAttribute> Of(AssetType type) => ByType[(int)type];

    /// <summary>Every attribute of that name, one per type that has it (a name may exist for several types).</summary>
    public static IEnumerable<AssetAttribute> Named(string name) =>
        ByType.SelectMany(a => a).Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<string> Names => ByType.SelectMany(a => a).Select(a => a.Name).Distinct();

    /// <summary>The asset's values in its type's slot order.</summary>
    public static double[] Read(Asset asset)
    {
        var attributes = ByType[(int)asset.Type];
        var values = new double[attributes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = attributes[i].Read(asset);
        return values;
    }

    public static bool SameValues(double[]? x, double[]? y) =>
        x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    private static AssetAttribute[][] Build()
    {
        var all = new AssetAttribute[Enum.GetValues<AssetType>().Length][];
        all[(int)AssetType.Pole] = Slots(AssetType.Pole,
            ("lampOn", AttributeKind.Boolean, null, a => Bit(a.Pole!.LampOn)),
            ("dimLevel", AttributeKind.Number, null, a => a.Pole!.DimLevel),
            ("powerW", AttributeKind.Number, null, a => a.Pole!.DrawW()),
            ("lampFault", AttributeKind.Boolean, null, a => Bit(a.Pole!.LampFault)),
            ("driverFault", AttributeKind.Boolean, null, a => Bit(a.Pole!.DriverFault)),
            ("connected", AttributeKind.Boolean, null, a => Bit(a.Pole!.Connected)),
            ("powered", AttributeKind.Boolean, null, a => Bit(a.Pole!.Powered)));
        all[(int)AssetType.Camera] = Slots(AssetType.Camera,
            ("feedOnline", AttributeKind.Boolean, null, a => Bit(a.Camera!.FeedOnline)),
            ("frameRate", AttributeKind.Number, null, a => a.Camera!.FrameRate),
            ("vehicleCount", AttributeKind.Number, null, a => a.Camera!.VehicleCount),
            ("pedestrianCount", AttributeKind.Number, null, a => a.Camera!.PedestrianCount),
            ("detectionConfidence", AttributeKind.Number, null, a => a.Camera!.DetectionConfidence),
            ("powered", AttributeKind.Boolean, null, a => Bit(a.Camera!.Powered)));
        all[(int)AssetType.Intersection] = Slots(AssetType.Intersection,
            ("mode", AttributeKind.Enum, EnumNames<ControlMode>(), a => (int)a.Intersection!.ActiveMode),
            ("controllerFault", AttributeKind.Boolean, null, a => Bit(a.Intersection!.ControllerFault)),
            ("degreeOfSaturation", AttributeKind.Number, null, a => a.Intersection!.DegreeOfSaturation),
            ("flowVehPerHour", AttributeKind.Number, null, a => a.Intersection!.FlowVehPerHour),
            ("camerasOnline", AttributeKind.Number, null, a => a.Intersection!.Cameras.Count(c => c.Online)),
            ("powered", AttributeKind.Boolean, null, a => Bit(a.Intersection!.Powered)));
        all[(int)AssetType.Link] = Slots(AssetType.Link,
            ("condition", AttributeKind.Enum, EnumNames<LinkCondition>(), a => (int)a.Link!.Condition),
            ("latencyMs", AttributeKind.Number, null, a => a.Link!.LatencyMs),
            ("throughputMbps", AttributeKind.Number, null, a => a.Link!.ThroughputMbps),
            ("packetLossPct", AttributeKind.Number, null, a => a.Link!.PacketLossPct),
            ("elevationDeg", AttributeKind.Number, null, a => a.Link!.ElevationDeg),
            ("rainFadeDb", AttributeKind.Number, null, a => a.Link!.RainFadeDb));
        return all;
    }

    private static AssetAttribute[] Slots(AssetType type, params (string Name, AttributeKind Kind, string[]? Enum, Func<Asset, double> Read)[] slots) =>
        [.. slots.Select((s, i) => new AssetAttribute(s.Name, type, i, s.Kind, s.Enum ?? [], s.Read))];

    private static string[] EnumNames<T>() where T : struct, Enum => [.. Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..])];

    private static double Bit(bool b) => b ? 1 : 0;
}
