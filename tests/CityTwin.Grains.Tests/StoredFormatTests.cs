using System.Text.Json;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Domain.Alarms;
using CityTwin.Grains.Alarms;
using CityTwin.Grains.Assets;
using CityTwin.Grains.Districts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityTwin.Grains.Tests;

/// <summary>
/// States stored by an earlier version read back whole: the bytes below were written by the version before enums had
/// generated codecs (their values then went out as boxed integers under a type name; now as the enum's own field), so a
/// database written before that change keeps its city.
/// </summary>
public sealed class StoredFormatTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(AssetGrainState).Assembly).AddAssembly(typeof(Asset).Assembly).AddAssembly(typeof(Alarm).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    private static readonly DateTimeOffset At = new(2026, 11, 30, 18, 0, 0, TimeSpan.Zero);

    private static Asset[] Assets()
    {
        var link = TestAssets.Link("leo-x") with { Status = AssetStatus.Degraded, Link = new LinkState { Condition = LinkCondition.Degraded, LatencyMs = 120 } };
        var intersection = TestAssets.Intersection("int-x", link: "leo-x") with { Intersection = new IntersectionState { Mode = ControlMode.FixedTime } };
        var camera = TestAssets.Camera("int-x", Approach.South, link: "leo-x") with { Id = "cam-x", Status = AssetStatus.Offline };
        var pole = TestAssets.Pole("pole-x", feeder: "f-1") with { Status = AssetStatus.Maintenance };
        return [link, intersection, camera, pole];
    }

    private static AssetGrainState AssetState(Asset asset) => new()
    {
        Asset = asset,
        Sequence = 42,
        History = [new StateChange(At, 3, AssetStatus.Operational, asset.Status, ["status"])],
    };

    private static DistrictGrainState District() => new()
    {
        Assets = Assets().ToDictionary(a => a.Id, a => DistrictMember.Of(a, 7, 8, new Telemetry { Timestamp = At, LatencyMs = 99 }) with { Asset = null }),
        Departed = { ["gone"] = 5 },
    };

    private static AlarmGrainState Alarms() => new()
    {
        LastNumber = 1,
        Active = { ["cam-x"] = [new Alarm { Id = "a-1", District = "d-test", AssetId = "cam-x", AssetType = AssetType.Camera, Kind = AlarmKind.FeedLost, Severity = AlarmSeverity.Major, Cause = ["feedLost", "leo-x"], RaisedAt = At }] },
    };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = false, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });

    // Written by commit c7cf73d (SerializeToArray of the states above).
    private static readonly Dictionary<string, string> StoredAssets = new()
    {
        ["leo-x"] = "2020E8400B6C656F2D7809030D410121E880713D0AD7A370114081AE47E17A146E4940E0410D642D7465737409030521E8C001C101C10121E0E0C101C101C10121E8C001810000000000004E40810000000000B08340810000000000005E40810000000000C062408100000000000000008100000000000000000101090305E0010121800000000000000000810000000000000000E0C10109030121E80803010101C1010103C1010101E0E001A921000321E82080001056C00B4FDF08810000000000000000E0010D090301090305210003410D737461747573E0E0E0E0",
        ["int-x"] = "2020E8400B696E742D78090309410121E880666666666666114081CDCCCCCCCC6C4940E0410D642D7465737409030121E8400B6C656F2D78C101C10121E0E0C101C10121E808030521E880000000000080564081000000000000104021000521E840054E53210005090301080309E0810000000000804440810000000000001C40810000000000805640E020E84005455721000509030508030DE0810000000000804440810000000000001C40810000000000805640E0E0E0210009810000000000000000800000000000000000800000000000000000800000000000000000E0210009810000000000000000800000000000000000800000000000000000800000000000000000E081000000000000000001010103090301C10121E0810000000000000000E0C101010121800000000000000000810000000000000000E0C10109030121E80803010101C1010103C1010101E0E001A921000321E82080001056C00B4FDF08810000000000000000E0010D090301090301210003410D737461747573E0E0E0E0",
        ["cam-x"] = "2020E8400B63616D2D78090305410121E880666666666666114081CDCCCCCCCC6C4940E0410D642D7465737409030D21E8400B6C656F2D78C101410B696E742D7821E0E0C10121E800038100000000000039400903090101010181CDCCCCCCCCCCEC3F01030103E0C101C101010121800000000000000000810000000000000000E0C10109030121E80803010101C1010103C1010101E0E001A921000321E82080001056C00B4FDF08810000000000000000E0010D09030109030D210003410D737461747573E0E0E0E0",
        ["pole-x"] = "2020E8400D706F6C652D78090301411F506F6C65206F6E204D61696E20537421E880666666666666114081CDCCCCCCCC6C4940E0410D642D7465737409031121E8C0014107662D31C10121E0E021E80003810000000000005940810000000000805640810000000000000000810000000000000000810000000000000000010101010103010321E0E0C101C101C101010121800000000000000000810000000000000000E0C10109030121E80803010101C1010103C1010101E0E001A921000321E82080001056C00B4FDF08810000000000000000E0010D090301090311210003410D737461747573E0E0E0E0",
    };

    private const string StoredDistrict = "20200109410B6C656F2D7820E820E8C00909030D09030521E880713D0AD7A370114081AE47E17A146E4940E0E0011D81000000000000000081000000000000000021000D81000000000000F03F800000000000005E40800000000000C06240800000000000000000800000000000004E40800000000000000000E021E82080001056C00B4FDF08810000000000000000E087270000000000C05840E00121E0400B696E742D7820E820E8C03D09030909030121E880666666666666114081CDCCCCCCCC6C4940E0E0011D81000000000000000081000000000000000021000D81000000000000000080000000000000000080000000000000000080000000000000000080000000000000000080000000000000F03FE021E82080001056C00B4FDF08810000000000000000E087270000000000C05840E00121E0400B63616D2D7820E820E8C07109030509030D21E880666666666666114081CDCCCCCCCC6C4940E0E0011D81000000000000000081000000000000000021000D81000000000000F03F80000000000000394080000000000000000080000000000000000080CDCCCCCCCCCCEC3F80000000000000F03FE021E82080001056C00B4FDF08810000000000000000E087270000000000C05840E00121E0400D706F6C652D7820E820E8C0A509030109031121E880666666666666114081CDCCCCCCCC6C4940E0E0011D81000000000080564081000000000000000021000F81000000000000F03F80000000000000594080000000000080564080000000000000000080000000000000000080000000000000F03F80000000000000F03FE021E82080001056C00B4FDF08810000000000000000E087270000000000C05840E00121E0E02101034109676F6E650015E0E0";

    private const string StoredAlarms = "200005210103410B63616D2D7820000321E84007612D31410D642D74657374C10B0903050903150903092100054111666565644C6F7374400B6C656F2D78E02180001056C00B4FDF08810000000000000000E0C101C101C101C101C1010101E0E0E021E021E021E021E0E0";

    [Fact]
    public void Assets_stored_by_the_earlier_version_read_back_whole()
    {
        foreach (var asset in Assets())
            Assert.Equal(Json(AssetState(asset)), Json(Serializer.Deserialize<AssetGrainState>(Convert.FromHexString(StoredAssets[asset.Id]))));
    }

    [Fact]
    public void A_district_stored_by_the_earlier_version_reads_back_whole() =>
        Assert.Equal(Json(District()), Json(Serializer.Deserialize<DistrictGrainState>(Convert.FromHexString(StoredDistrict))));

    [Fact]
    public void Alarms_stored_by_the_earlier_version_read_back_whole() =>
        Assert.Equal(Json(Alarms()), Json(Serializer.Deserialize<AlarmGrainState>(Convert.FromHexString(StoredAlarms))));

    [Fact]
    public void What_this_version_writes_reads_back_whole()
    {
        foreach (var asset in Assets())
            Assert.Equal(Json(AssetState(asset)), Json(Serializer.Deserialize<AssetGrainState>(Serializer.SerializeToArray(AssetState(asset)))));
        Assert.Equal(Json(District()), Json(Serializer.Deserialize<DistrictGrainState>(Serializer.SerializeToArray(District()))));
        Assert.Equal(Json(Alarms()), Json(Serializer.Deserialize<AlarmGrainState>(Serializer.SerializeToArray(Alarms()))));
    }
}
