using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Import;
using CityTwin.Contracts.Streams;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Filtering;

namespace CityTwin.Grains.Tests;

/// <summary>
/// A link's condition travels to its backhaul grain on the link's stream, whose queue dies with its silo: a silo lost
/// between the change's acknowledgement and the backhaul grain taking it would leave every dependent unaware. This
/// cluster's streams lose every link signal, as such a death would; the link's reminder must make up for it.
/// </summary>
public sealed class LostLinkSignalTests : IAsyncLifetime
{
    private readonly LostLinkSignalsFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private IGrainFactory Grains => _fixture.Client;

    [Fact]
    public async Task A_cut_whose_signal_the_stream_lost_reaches_every_dependent_by_the_links_reminder()
    {
        var district = TestAssets.NewId("d");
        var link = TestAssets.Link(district: district);
        var poles = Enumerable.Range(0, 20).Select(_ => TestAssets.Pole(district: district, link: link.Id)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([link, .. poles]);
        var linkGrain = Grains.GetGrain<IAssetGrain>(link.Id);

        await linkGrain.SetLinkConditionAsync(LinkCondition.Down, null, null);
        await Task.Delay(500); // the stream would have delivered it by now
        Assert.All(await Task.WhenAll(poles.Select(p => Grains.GetGrain<IAssetGrain>(p.Id).GetAsync())), p => Assert.True(p!.Pole!.Connected));
        var reminder = await ReminderAsync(linkGrain);
        Assert.NotNull(reminder); // held from before the cut was stored

        await linkGrain.AsReference<IRemindable>().ReceiveReminder(reminder.ReminderName, new TickStatus(reminder.StartAt, reminder.Period, DateTime.UtcNow));

        Assert.All(await Task.WhenAll(poles.Select(p => Grains.GetGrain<IAssetGrain>(p.Id).GetAsync())), p => Assert.False(p!.Pole!.Connected));
        Assert.Null(await ReminderAsync(linkGrain)); // done: nothing fires again
    }

    [Fact]
    public async Task A_change_that_keeps_the_condition_holds_no_reminder()
    {
        var link = TestAssets.Link(district: TestAssets.NewId("d"));
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([link]);
        var linkGrain = Grains.GetGrain<IAssetGrain>(link.Id);

        await linkGrain.SetLinkConditionAsync(LinkCondition.Up, latencyMs: 80, packetLossPct: null);

        Assert.Null(await ReminderAsync(linkGrain));
    }

    private async Task<ReminderEntry?> ReminderAsync(IAssetGrain grain) =>
        await _fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>().ReadRow(grain.GetGrainId(), "link-signal");

    private sealed class LostLinkSignalsFixture : ClusterFixture
    {
        protected override void Configure(ISiloBuilder silo) => silo.AddStreamFilter<LoseLinkSignals>(TwinStreams.Provider);
    }

    /// <summary>Every link signal lost on its way, as when the silo of the stream's queue dies.</summary>
    private sealed class LoseLinkSignals : IStreamFilter
    {
        public bool ShouldDeliver(StreamId streamId, object item, string? filterData) => item is not LinkSignal;
    }
}
