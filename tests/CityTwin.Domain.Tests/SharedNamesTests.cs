using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Tests;

public sealed class SharedNamesTests
{
    [Fact]
    public void Compacted_assets_of_one_district_link_and_feeder_share_one_string_each()
    {
        // Two assets read from storage one by one: equal names, separate strings, until compacted.
        static string Fresh(string s) => new(s.AsSpan());
        var a = Build.Pole("p-1") with { District = Fresh("d-shared"), Dependencies = new AssetDependencies { BackhaulLinkId = Fresh("leo-shared"), PowerFeederId = Fresh("f-shared") } };
        var b = Build.Pole("p-2") with { District = Fresh("d-shared"), Dependencies = new AssetDependencies { BackhaulLinkId = Fresh("leo-shared"), PowerFeederId = Fresh("f-shared") } };
        Assert.False(ReferenceEquals(a.District, b.District));

        var (x, y) = (a.Compact(), b.Compact());
        Assert.Same(x.District, y.District);
        Assert.Same(x.Dependencies.BackhaulLinkId, y.Dependencies.BackhaulLinkId);
        Assert.Same(x.Dependencies.PowerFeederId, y.Dependencies.PowerFeederId);
        Assert.Equal(("d-shared", "leo-shared", "f-shared"), (x.District, x.Dependencies.BackhaulLinkId, x.Dependencies.PowerFeederId));
    }
}
