using CityTwin.Domain.City;
using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

public sealed class RoadNetworkTests
{
    [Fact]
    public void A_10_by_10_grid_has_its_intersections_roads_and_fringe()
    {
        var net = GridNetwork.Build(new GridSpec());

        Assert.Equal(100, net.IntersectionCount);
        Assert.Equal(140, net.NodeCount); // 40 fringe nodes, one at each end of every street
        Assert.Equal(2 * 2 * 10 * 9 + 2 * 40, net.LinkCount);
        var link = net.LinkBetween(0, 1);
        Assert.Equal(200 * 2 / 7.5, net.LinkStorage(link), 9); // 53.3 vehicles
        Assert.Equal(3_600, net.LinkCapacityPerHour(link), 9); // 2 lanes × 1,800
        Assert.Equal(14.4, net.LinkFreeFlowSeconds(link), 9); // 200 m at 50 km/h
        // Approaches are the side a link comes from: int-0001 → int-0002 enters int-0002 from the west.
        Assert.Equal(Approach.West, net.LinkApproach(link));
        Assert.Equal(Approach.North, net.LinkApproach(net.LinkBetween(0, 10)));
        Assert.Equal(Approach.South, net.LinkApproach(net.LinkBetween(10, 0)));
        Assert.Null(net.LinkApproach(net.LinkBetween(0, net.NodeIndex("fringe-n-1"))));
        Assert.Equal(Approach.North, net.LinkApproach(net.LinkBetween(net.NodeIndex("fringe-n-1"), 0)));
    }

    [Fact]
    public void The_network_of_a_generated_city_follows_its_assets()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 3_000, Seed = 4 });
        var net = RoadNetworkBuilder.FromAssets(city.Assets);
        var intersections = city.Assets.Where(a => a.Type == AssetType.Intersection).ToList();

        Assert.Equal(intersections.Count, net.IntersectionCount);
        var perimeter = 2 * (city.Rows + city.Columns);
        Assert.Equal(perimeter, net.NodeCount - net.IntersectionCount);
        Assert.Equal(intersections.Sum(a => a.Dependencies.Neighbours.Length) + 2 * perimeter, net.LinkCount);
        foreach (var a in intersections)
        {
            var i = net.NodeIndex(a.Id);
            Assert.Equal(a.District, net.Districts[net.DistrictOf(i)]);
            foreach (var road in a.Dependencies.Neighbours)
            {
                var l = net.LinkBetween(i, net.NodeIndex(road.IntersectionId));
                Assert.Equal(road.LengthM * road.Lanes / 7.5, net.LinkStorage(l), 9);
                Assert.Equal(road.LengthM / (road.SpeedLimitKmh / 3.6), net.LinkFreeFlowSeconds(l), 9);
            }
            // Every intersection of a grid is entered from four sides (fringe links on the boundary).
            var sides = Enumerable.Range(0, net.LinkCount).Where(l => net.LinkTo(l) == i).Select(l => net.LinkApproach(l)).ToList();
            Assert.Equal(4, sides.Distinct().Count());
        }
    }

    [Fact]
    public void Assigned_flows_follow_shortest_routes_and_are_conserved_at_every_node()
    {
        var net = GridNetwork.Build(new GridSpec { Rows = 4, Columns = 5 });
        var demand = OdMatrix.Generate(net, 2_000, 0.8, seed: 11);
        var a = Assignment.Compute(net, demand);

        Assert.Equal(0, a.UnroutedTripsPerHour);
        Assert.Equal(2_000, demand.TotalTripsPerHour);
        for (var node = 0; node < net.NodeCount; node++)
        {
            double into = 0, outOf = 0, starting = a.OriginTripsPerHour(node), ending = 0;
            for (var l = 0; l < net.LinkCount; l++)
            {
                if (net.LinkTo(l) == node) into += a.LinkFlowPerHour(l);
                if (net.LinkFrom(l) == node) outOf += a.LinkFlowPerHour(l);
            }
            for (var k = 0; k < demand.Count; k++) if (demand[k].Destination == node) ending += demand[k].TripsPerHour;
            Assert.Equal(into + starting, outOf + ending, 1e-6);
        }
        // Turning shares of every used link add up to one.
        for (var l = 0; l < net.LinkCount; l++)
        {
            if (a.LinkFlowPerHour(l) == 0) continue;
            var sink = a.SinkFraction[l];
            var turns = 0.0;
            for (var m = a.MoveStart[l]; m < a.MoveStart[l + 1]; m++) turns += a.Moves[m].Share;
            Assert.True(sink == 1 ? turns == 0 : Math.Abs(turns - 1) < 1e-9, $"link {l}");
        }
        // A trip straight across the grid goes straight: fringe-w-2 → fringe-e-2 loads the five blocks of row 2.
        var straight = Assignment.Compute(net, Networks.Flow(net, "fringe-w-2", "fringe-e-2", 100));
        for (var c = 0; c + 1 < 5; c++) Assert.Equal(100, straight.LinkFlowPerHour(net.LinkBetween(5 + c, 5 + c + 1)));
        Assert.Equal(100 * 6, Enumerable.Range(0, net.LinkCount).Sum(straight.LinkFlowPerHour));
    }

    [Fact]
    public void A_pairs_trips_are_shared_among_its_routes_of_equal_time_the_fewer_turns_the_more()
    {
        // Junction (r, c) is node r × 5 + c. From (0, 0) to (2, 2) there are six staircases of four blocks, all as
        // quick; each carries its weight's share of the 600 trips, a route weighing TurnWeight per turn.
        var net = GridNetwork.Build(new GridSpec { Rows = 4, Columns = 5 });
        var a = Assignment.Compute(net, OdMatrix.FromFlows([(0, 12, 600)]));
        double Flow(int r1, int c1, int r2, int c2) => a.LinkFlowPerHour(net.LinkBetween(r1 * 5 + c1, r2 * 5 + c2));
        string[] routes = ["EESS", "SSEE", "ESSE", "SEES", "ESES", "SESE"];
        static double Weight(string route) => Math.Pow(Assignment.TurnWeight, Enumerable.Range(1, route.Length - 1).Count(i => route[i] != route[i - 1]));
        var total = routes.Sum(Weight);
        double Expected(int r1, int c1, int r2, int c2) => 600 / total * routes.Where(route =>
        {
            var (r, c) = (0, 0);
            foreach (var step in route)
            {
                var (nr, nc) = step == 'E' ? (r, c + 1) : (r + 1, c);
                if ((r, c, nr, nc) == (r1, c1, r2, c2)) return true;
                (r, c) = (nr, nc);
            }
            return false;
        }).Sum(Weight);

        foreach (var (r1, c1, r2, c2) in new[] { (0, 0, 0, 1), (0, 0, 1, 0), (0, 1, 0, 2), (1, 1, 1, 2), (1, 1, 2, 1), (0, 2, 1, 2), (1, 2, 2, 2), (2, 0, 2, 1) })
            Assert.Equal(Expected(r1, c1, r2, c2), Flow(r1, c1, r2, c2), 9);
        Assert.Equal(300, Flow(0, 0, 0, 1), 9); // east or south first: the same, by symmetry
        Assert.True(Flow(0, 1, 0, 2) > Flow(0, 1, 1, 1)); // keeping east rather than turning
        Assert.Equal(600 * 4, Enumerable.Range(0, net.LinkCount).Sum(a.LinkFlowPerHour), 9); // four blocks each, no detour
        // Vehicles reaching (1, 1) from the west go on east (SEES) rather than south (SESE, one more turn).
        var fromWest = net.LinkBetween(5, 6);
        var east = Weight("SEES") / (Weight("SEES") + Weight("SESE"));
        Assert.Equal([(7, Math.Round(east, 9)), (11, Math.Round(1 - east, 9))], a.Moves[a.MoveStart[fromWest]..a.MoveStart[fromWest + 1]]
            .Select(m => (net.LinkTo(m.Target), Math.Round(m.Share, 9))).Order());
    }

    [Fact]
    public void Kept_trees_and_trees_grown_on_the_fly_give_the_same_assignment()
    {
        var net = RoadNetworkBuilder.FromAssets(CityGenerator.Generate(new CitySpec { TargetAssets = 2_000, Seed = 6 }).Assets);
        var demand = OdMatrix.Generate(net, 3_000, 0.6, seed: 2);
        var kept = Assignment.Compute(net, demand, RouteSet.ShortestFreeFlow(net, Enumerable.Range(0, net.NodeCount)));
        var streamed = Assignment.Compute(net, demand);
        Assert.Equal(Enumerable.Range(0, net.LinkCount).Select(kept.LinkFlowPerHour), Enumerable.Range(0, net.LinkCount).Select(streamed.LinkFlowPerHour));
        Assert.Equal(kept.Moves, streamed.Moves);
        Assert.Equal(kept.SinkFraction, streamed.SinkFraction);
    }

    [Fact]
    public void Demand_is_seeded_and_scales_by_district()
    {
        var net = GridNetwork.Build(new GridSpec { Rows = 4, Columns = 4, DistrictRows = 2, DistrictColumns = 2 });
        var a = OdMatrix.Generate(net, 1_000, 0.5, seed: 1);
        var b = OdMatrix.Generate(net, 1_000, 0.5, seed: 1);
        Assert.Equal(Enumerable.Range(0, a.Count).Select(k => a[k]), Enumerable.Range(0, b.Count).Select(k => b[k]));
        Assert.Equal(4, net.Districts.Count);

        var d = 2;
        var scaled = a.ScaledForDistrict(net, d, 1.5);
        for (var k = 0; k < a.Count; k++)
        {
            var touches = net.DistrictOf(a[k].Origin) == d || net.DistrictOf(a[k].Destination) == d;
            Assert.Equal(a[k].TripsPerHour * (touches ? 1.5 : 1), scaled[k].TripsPerHour);
        }
        Assert.Equal(2 * a.TotalTripsPerHour, a.Scaled(2).TotalTripsPerHour, 9);
    }
}
