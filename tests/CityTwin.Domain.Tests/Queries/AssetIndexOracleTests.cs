using CityTwin.Domain.City;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Queries;

namespace CityTwin.Domain.Tests.Queries;

/// <summary>
/// The read model's answers — partitioned by district, keyset-paged, merged — equal a brute-force scan of the whole
/// city, for randomised queries over a generated city with randomised live attributes.
/// </summary>
public sealed class AssetIndexOracleTests
{
    private static readonly Lazy<GeneratedCity> City = new(() => CityGenerator.Generate(new CitySpec { TargetAssets = 6_000, Seed = 11 }));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Paged_partitioned_results_equal_a_scan_of_every_asset(int seed)
    {
        var random = new Random(seed);
        var twin = new OracleTwin(City.Value, random);
        for (var q = 0; q < 60; q++)
        {
            var query = twin.RandomQuery(random);
            var expected = twin.BruteForce(query);
            var actual = twin.PageThrough(query);
            Assert.Equal(expected.Select(h => h.Summary.Id), actual.Select(h => h.Summary.Id));
            Assert.Equal(expected.Select(h => h.DistanceM), actual.Select(h => h.DistanceM));
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void Paging_while_assets_change_never_repeats_or_skips_an_asset_that_kept_matching(int seed)
    {
        var random = new Random(seed);
        var twin = new OracleTwin(City.Value, random);
        for (var q = 0; q < 20; q++)
        {
            var query = twin.RandomQuery(random) with { Limit = random.Next(5, 60) };
            var matchedAtStart = twin.BruteForce(query).Select(h => h.Summary.Id).ToHashSet();
            var touched = new HashSet<string>();
            var seen = new List<string>();
            QueryCursor? cursor = null;
            do
            {
                var page = twin.Page(query with { After = cursor });
                Assert.True(page.Next is null || cursor is null || page.Next.Value.CompareTo(cursor.Value) > 0, "a page must move forward");
                seen.AddRange(page.Hits.Select(h => h.Summary.Id));
                cursor = page.Next;
                touched.UnionWith(twin.Churn(random, 40)); // statuses and attributes change between pages
            } while (cursor is not null);

            Assert.Equal(seen.Count, seen.Distinct().Count());
            var keptMatching = matchedAtStart.Except(touched).ToHashSet();
            Assert.Subset(seen.ToHashSet(), keptMatching);
        }
    }

    [Fact]
    public void A_bbox_query_asks_only_the_districts_it_overlaps()
    {
        var twin = new OracleTwin(City.Value, new Random(1));
        var first = twin.Bounds.First();
        var box = first.Value;
        var inner = new GeoBox(box.MinLon + 0.0001, box.MinLat + 0.0001, box.MinLon + 0.0005, box.MinLat + 0.0005);
        var asked = twin.PartitionsFor(new AssetQuery { Box = inner });
        Assert.Contains(first.Key, asked);
        Assert.True(asked.Count <= 4, $"asked {asked.Count} of {twin.Bounds.Count} districts");
    }

    /// <summary>A city as the read model holds it: entries per district, sorted ids, the districts' bounds.</summary>
    private sealed class OracleTwin
    {
        private readonly Dictionary<string, Dictionary<string, IndexedAsset>> _districts = [];
        private readonly Dictionary<string, string> _districtOf = [];
        private readonly List<string> _ids;

        public OracleTwin(GeneratedCity city, Random random)
        {
            foreach (var asset in city.Assets)
            {
                if (!_districts.TryGetValue(asset.District, out var members)) _districts[asset.District] = members = [];
                members[asset.Id] = new IndexedAsset(asset.Summary with { Status = RandomStatus(random) }, RandomValues(asset, random));
                _districtOf[asset.Id] = asset.District;
            }
            _ids = [.. _districtOf.Keys];
            Bounds = _districts.ToDictionary(d => d.Key, d => d.Value.Values.Aggregate((GeoBox?)null, (b, a) => GeoBox.Grow(b, a.Summary.Location))!.Value);
        }

        public Dictionary<string, GeoBox> Bounds { get; }

        public List<string> PartitionsFor(AssetQuery query) =>
            [.. _districts.Keys.Where(d => (query.Districts.Length == 0 || query.Districts.Contains(d)) && (query.Area is not { } area || Bounds[d].Intersects(area)))];

        public QueryPage Page(AssetQuery query) => AssetIndex.Merge(PartitionsFor(query).Select(d =>
        {
            var members = _districts[d];
            return AssetIndex.Search(d, [.. members.Keys.Order(StringComparer.Ordinal)], id => members[id], query);
        }), query.Limit);

        public List<AssetHit> PageThrough(AssetQuery query)
        {
            var all = new List<AssetHit>();
            QueryCursor? cursor = null;
            do
            {
                var page = Page(query with { After = cursor });
                Assert.True(page.Hits.Count <= query.Limit);
                Assert.True(page.Next is null || cursor is null || page.Next.Value.CompareTo(cursor.Value) > 0, "a page must move forward");
                all.AddRange(page.Hits);
                cursor = page.Next;
            } while (cursor is not null);
            return all;
        }

        /// <summary>Every asset, one by one: matches, sorted by (distance, id).</summary>
        public List<AssetHit> BruteForce(AssetQuery query)
        {
            var hits = new List<AssetHit>();
            foreach (var (district, members) in _districts)
            {
                if (query.Districts.Length > 0 && !query.Districts.Contains(district)) continue;
                foreach (var a in members.Values)
                {
                    var s = a.Summary;
                    if (query.Types.Length > 0 && !query.Types.Contains(s.Type)) continue;
                    if (query.Statuses.Length > 0 && !query.Statuses.Contains(s.Status)) continue;
                    if (query.Box is { } b && !(s.Location.Lon >= b.MinLon && s.Location.Lon <= b.MaxLon && s.Location.Lat >= b.MinLat && s.Location.Lat <= b.MaxLat)) continue;
                    var d = query.Near is { } c ? c.DistanceTo(s.Location) : 0;
                    if (query.Near is not null && d > query.RadiusM) continue;
                    if (!query.Filters.All(f => Holds(f, a))) continue;
                    hits.Add(new AssetHit(s, district, a.Attributes, d));
                }
            }
            return [.. hits.OrderBy(h => h.DistanceM).ThenBy(h => h.Summary.Id, StringComparer.Ordinal)];
        }

        /// <summary>Changes the status and attributes of <paramref name="count"/> random assets; returns their ids.</summary>
        public IEnumerable<string> Churn(Random random, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var id = _ids[random.Next(_ids.Count)];
                var members = _districts[_districtOf[id]];
                var a = members[id];
                members[id] = new IndexedAsset(a.Summary with { Status = RandomStatus(random) },
                    a.Attributes is { } v ? [.. v.Select(x => random.Next(3) == 0 ? random.Next(0, 101) : x)] : null);
                yield return id;
            }
        }

        public AssetQuery RandomQuery(Random random)
        {
            var any = _districtOf.Keys.ElementAt(random.Next(_districtOf.Count));
            var centre = _districts[_districtOf[any]][any].Summary.Location;
            var query = new AssetQuery { Limit = random.Next(1, 120) };
            if (random.Next(2) == 0) query = query with { Types = [.. Enum.GetValues<AssetType>().Where(_ => random.Next(2) == 0)] };
            if (random.Next(3) == 0) query = query with { Statuses = [.. Enum.GetValues<AssetStatus>().Where(_ => random.Next(2) == 0)] };
            if (random.Next(4) == 0) query = query with { Districts = [.. _districts.Keys.Where(_ => random.Next(3) == 0)] };
            switch (random.Next(3))
            {
                case 0:
                    var half = random.Next(50, 800);
                    var sw = centre.Offset(-half, -half);
                    var ne = centre.Offset(half * random.NextDouble() * 2, half);
                    query = query with { Box = new GeoBox(sw.Lon, sw.Lat, ne.Lon, ne.Lat) };
                    break;
                case 1:
                    query = query with { Near = centre.Offset(random.Next(-100, 100), random.Next(-100, 100)), RadiusM = random.Next(20, 700) };
                    break;
            }
            if (random.Next(2) == 0)
            {
                var attribute = AssetAttributes.Of((AssetType)random.Next(4))[random.Next(5)];
                var op = attribute.Kind == AttributeKind.Number ? (FilterOp)random.Next(6) : (FilterOp)random.Next(2);
                var value = attribute.Kind switch
                {
                    AttributeKind.Boolean => random.Next(2),
                    AttributeKind.Enum => random.Next(attribute.EnumNames.Length),
                    _ => random.Next(0, 101),
                };
                query = query with { Filters = [new AttributeFilter(attribute.Name, op, value)] };
            }
            return query;
        }

        /// <summary>The filter by hand: the attribute of that name in the asset's type, compared.</summary>
        private static bool Holds(AttributeFilter f, IndexedAsset a)
        {
            var attribute = AssetAttributes.Of(a.Summary.Type).FirstOrDefault(x => x.Name == f.Name);
            if (attribute is null || a.Attributes is null) return false;
            var v = a.Attributes[attribute.Slot];
            return f.Op switch
            {
                FilterOp.Equal => v == f.Value,
                FilterOp.NotEqual => v != f.Value,
                FilterOp.Less => v < f.Value,
                FilterOp.LessOrEqual => v <= f.Value,
                FilterOp.Greater => v > f.Value,
                _ => v >= f.Value,
            };
        }

        private static AssetStatus RandomStatus(Random random) => random.Next(4) == 0 ? (AssetStatus)random.Next(5) : AssetStatus.Operational;

        /// <summary>The asset's real attributes with some values scrambled, so filters split the city.</summary>
        private static double[] RandomValues(Asset asset, Random random)
        {
            var values = AssetAttributes.Read(asset);
            var attributes = AssetAttributes.Of(asset.Type);
            for (var i = 0; i < values.Length; i++)
                values[i] = attributes[i].Kind switch
                {
                    AttributeKind.Boolean => random.Next(2),
                    AttributeKind.Enum => random.Next(attributes[i].EnumNames.Length),
                    _ => random.Next(0, 101),
                };
            return values;
        }
    }
}
