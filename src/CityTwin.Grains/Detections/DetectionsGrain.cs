using CityTwin.Contracts.Assets;
using CityTwin.Grains.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;

namespace CityTwin.Grains.Detections;

/// <summary>
/// An intersection's detections stream consumer (implicit subscription: this grain's key is the intersection's id),
/// handing each camera report to the intersection. Stateless: the intersection orders and deduplicates the reports.
/// It exists so that the million asset grains need not be stream consumers themselves (see <see cref="Assets.AssetGrain"/>).
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Detections)]
public sealed class DetectionsGrain(
    [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
    TwinMetrics metrics) : Grain, IGrainWithStringKey, IStreamSubscriptionObserver, IAsyncObserver<CameraReport>
{
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<CameraReport>().ResumeAsync(this);

    public Task OnNextAsync(CameraReport report, StreamSequenceToken? token = null)
    {
        metrics.Delivered(TwinStreams.Detections, time.GetUtcNow() - report.SentAt);
        return GrainFactory.GetGrain<IAssetGrain>(this.GetPrimaryKeyString()).OnCameraReportAsync(report);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
