using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Import;
using CityTwin.Contracts.Power;
using CityTwin.Domain.Alarms;

namespace CityTwin.Grains.Tests;

/// <summary>Alarms grouped by root cause: one group per cause, consequences suppressed while their root is active, shelves that expire, a group acknowledged at once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AlarmGroupTests(ClusterFixture fixture)
{
    private static readonly AlarmGroupQuery ActiveBoard = new(true, false, null);

    private IGrainFactory Grains => fixture.Client;

    private IAlarmGrain Alarms(string district) => Grains.GetGrain<IAlarmGrain>(district);

    private async Task<Alarm[]> ActiveAsync(TestCity city, int count) =>
        await Eventually.Until(() => Alarms(city.District).ListAsync(new AlarmQuery(null, true, 100)), a => a.Length == count);

    [Fact]
    public async Task A_link_cut_is_one_group_whose_root_suppresses_its_consequences()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        var flat = await ActiveAsync(city, 6);

        var group = Assert.Single(await Alarms(city.District).GetGroupsAsync(ActiveBoard));
        Assert.Equal(city.Link.Id, group.RootId);
        Assert.Equal($"{city.Link.Id}: link down", group.Cause);
        Assert.Equal(AlarmKind.LinkDown, group.Root!.Kind);
        Assert.Equal(5, group.Members); // two poles' comms, two cameras' feeds, the intersection's fallback
        Assert.Equal(flat.Count(a => !a.IsRoot && a.Root == city.Link.Id), group.Members);
        Assert.Equal([1, 2, 2, 0], group.BySeverity); // the fallback (warning), the poles' comms (minor), the feeds (major)
        Assert.Equal(2, group.ByType[AssetType.Pole]);
        Assert.Equal(2, group.ByType[AssetType.Camera]);
        Assert.Equal(6, group.Unacknowledged);

        var roots = await Alarms(city.District).GetRootsAsync();
        Assert.Contains(city.Link.Id, roots.Cited);
        Assert.Equal(AssetType.Link, roots.Raised[city.Link.Id]);
        var listed = await Alarms(city.District).ListAsync(new AlarmQuery(null, true, 100, SuppressingRoots: [city.Link.Id]));
        Assert.All(listed, a => Assert.Equal(a.AssetId != city.Link.Id, a.Suppressed));
        var unsuppressed = await Alarms(city.District).ListAsync(new AlarmQuery(null, true, 100, SuppressingRoots: [city.Link.Id], Suppressed: false));
        Assert.Equal(city.Link.Id, Assert.Single(unsuppressed).AssetId);

        var members = await Alarms(city.District).ListMembersAsync(city.Link.Id, ActiveBoard, null, 3);
        Assert.Equal(5, members.Total);
        Assert.Equal(3, members.Items.Length);
        var rest = await Alarms(city.District).ListMembersAsync(city.Link.Id, ActiveBoard, members.Items[^1].Id, 3);
        Assert.Equal(2, rest.Items.Length);
        Assert.Equal(flat.Where(a => !a.IsRoot).Select(a => a.Id).Order(StringComparer.Ordinal), members.Items.Concat(rest.Items).Select(a => a.Id));
    }

    [Fact]
    public async Task A_feeder_outage_is_one_synthetic_group_keyed_by_the_feeder()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(city.Feeder1, false);
        await ActiveAsync(city, 2);

        var group = Assert.Single(await Alarms(city.District).GetGroupsAsync(ActiveBoard));
        Assert.Equal(city.Feeder1, group.RootId);
        Assert.Null(group.Root); // a feeder is no asset: nothing raised an alarm of its own
        Assert.Equal(2, group.Members);
        Assert.Equal(2, group.BySeverity[(int)AlarmSeverity.Major]);
        // Nothing on the flat board stands for a synthetic root, so its consequences are not suppressed.
        Assert.Empty((await Alarms(city.District).GetRootsAsync()).Raised);
    }

    [Fact]
    public async Task A_district_outage_is_one_group_keyed_by_the_district()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(null, false);
        await ActiveAsync(city, 5); // two poles, two cameras, the intersection dark

        var group = Assert.Single(await Alarms(city.District).GetGroupsAsync(ActiveBoard));
        Assert.Equal($"district:{city.District}", group.RootId);
        Assert.Equal(5, group.Members);
        Assert.Equal(AlarmSeverity.Critical, (AlarmSeverity)Array.FindLastIndex(group.BySeverity, n => n > 0));
    }

    [Fact]
    public async Task A_controller_fault_is_one_group_with_its_own_alarm_only()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IAssetGrain>(city.Intersection.Id).SetControllerFaultAsync(true);
        await ActiveAsync(city, 1);

        var group = Assert.Single(await Alarms(city.District).GetGroupsAsync(ActiveBoard));
        Assert.Equal(city.Intersection.Id, group.RootId);
        Assert.Equal(AlarmKind.ControllerFault, group.Root!.Kind);
        Assert.Equal(0, group.Members);
    }

    [Fact]
    public async Task A_link_serving_another_district_groups_under_the_same_root_in_both()
    {
        var (home, away) = (TestAssets.NewId("d"), TestAssets.NewId("d"));
        var link = TestAssets.Link(district: home);
        var poles = new[] { TestAssets.Pole(district: away, link: link.Id), TestAssets.Pole(district: away, link: link.Id) };
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([link, .. poles]);

        await Grains.GetGrain<IAssetGrain>(link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        var awayGroups = await Eventually.Until(() => Alarms(away).GetGroupsAsync(ActiveBoard), g => g.Sum(x => x.Members) == 2);
        var homeGroups = await Eventually.Until(() => Alarms(home).GetGroupsAsync(ActiveBoard), g => g.Length == 1);

        Assert.Equal(link.Id, Assert.Single(homeGroups).RootId);
        Assert.NotNull(homeGroups[0].Root);
        Assert.Equal(0, homeGroups[0].Members);
        Assert.Equal(link.Id, Assert.Single(awayGroups).RootId);
        Assert.Null(awayGroups[0].Root); // the root's alarm is in its own district: the API merges the two by root id
        Assert.Equal(2, awayGroups[0].Members);
        Assert.Contains(link.Id, (await Alarms(away).GetRootsAsync()).Cited);
        Assert.Contains(link.Id, (await Alarms(home).GetRootsAsync()).Raised.Keys);

        var (acknowledged, total) = await Alarms(away).AcknowledgeGroupAsync(link.Id, "ops", null, null);
        Assert.Equal((2, 2), (acknowledged, total));
    }

    [Fact]
    public async Task A_shelved_group_leaves_the_board_takes_later_consequences_with_it_and_comes_back_when_the_shelf_expires()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await ActiveAsync(city, 6);
        var alarms = Alarms(city.District);

        var now = fixture.Clock.GetUtcNow();
        Assert.Equal(6, await alarms.ShelveGroupAsync(city.Link.Id, new AlarmShelf(now.AddMinutes(30), now, "ops-desk-1", "satellite operator on it")));
        Assert.Empty(await alarms.GetGroupsAsync(ActiveBoard));
        Assert.Empty(await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: false)));
        var shelved = await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: true));
        Assert.Equal(6, shelved.Length);
        Assert.All(shelved, a => Assert.Equal("satellite operator on it", a.Shelved!.Note));
        Assert.Equal(6, (await alarms.GetActiveCountsAsync()).Sum()); // still active: the counts do not change

        // A controller fault is a root of its own, not on the link's shelf (its fallback alarm clears, as the signals flash).
        await Grains.GetGrain<IAssetGrain>(city.Intersection.Id).SetControllerFaultAsync(true);
        var other = await Eventually.Until(() => alarms.GetGroupsAsync(ActiveBoard), g => g.Length == 1);
        Assert.Equal(city.Intersection.Id, Assert.Single(other).RootId);

        fixture.Clock.Advance(TimeSpan.FromMinutes(31));
        var back = await alarms.GetGroupsAsync(ActiveBoard);
        Assert.Equal(2, back.Length);
        Assert.Contains(back, g => g.RootId == city.Link.Id && g.Members == 4); // the intersection's fallback became a controller fault
        Assert.Empty(await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: true)));
    }

    [Fact]
    public async Task A_shelved_alarm_comes_back_after_its_expiry_or_when_unshelved()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        var flat = await ActiveAsync(city, 6);
        var alarms = Alarms(city.District);
        var pole = flat.First(a => a.AssetId == city.Poles[0].Id);

        var now = fixture.Clock.GetUtcNow();
        var shelved = await alarms.ShelveAsync(pole.Id, new AlarmShelf(now.AddHours(1), now, "ops", null));
        Assert.NotNull(shelved!.Shelved);
        Assert.DoesNotContain(await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: false)), a => a.Id == pole.Id);
        Assert.Equal(4, Assert.Single(await alarms.GetGroupsAsync(ActiveBoard)).Members);
        Assert.Null(await alarms.ShelveAsync("alm-nowhere-1", new AlarmShelf(now.AddHours(1), now, "ops", null)));

        Assert.True(await alarms.UnshelveAsync(pole.Id));
        Assert.False(await alarms.UnshelveAsync(pole.Id));
        Assert.Contains(await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: false)), a => a.Id == pole.Id);

        await alarms.ShelveAsync(pole.Id, new AlarmShelf(now.AddHours(1), now, "ops", null));
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Contains(await alarms.ListAsync(new AlarmQuery(null, true, 100, Shelved: false)), a => a.Id == pole.Id && a.Shelved is null);
    }

    [Fact]
    public async Task Acknowledging_a_group_acknowledges_its_root_and_every_consequence_once()
    {
        var city = await TestCity.CreateAsync(Grains);
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await ActiveAsync(city, 6);
        var alarms = Alarms(city.District);

        Assert.Equal((6, 6), await alarms.AcknowledgeGroupAsync(city.Link.Id, "ops-desk-2", "crew dispatched", null));
        var acknowledged = await alarms.ListAsync(new AlarmQuery(null, true, 100));
        Assert.All(acknowledged, a => Assert.Equal(("ops-desk-2", "crew dispatched"), (a.AcknowledgedBy, a.Note)));
        Assert.Equal(0, Assert.Single(await alarms.GetGroupsAsync(ActiveBoard)).Unacknowledged);
        Assert.Equal((0, 6), await alarms.AcknowledgeGroupAsync(city.Link.Id, "someone else", null, null));
        Assert.Equal((0, 0), await alarms.AcknowledgeGroupAsync("leo-nowhere", "ops", null, null));

        // Only the caller's types: a camera desk acknowledges the cameras' share.
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Up, null, null);
        await ActiveAsync(city, 0);
        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await ActiveAsync(city, 6);
        var (cameras, _) = await alarms.AcknowledgeGroupAsync(city.Link.Id, "camera desk", null, [AssetType.Camera]);
        Assert.Equal(2, cameras);
    }
}
