using System.Reflection;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Hosting;
using Orleans.CodeGeneration;
using Orleans.Serialization.Invocation;

namespace CityTwin.Grains.Tests;

/// <summary>
/// The reads the API sends again when a gateway stalls (GatewayLoss.ReadAsync) leave the gateway Orleans' client pins
/// their grain to, or the copy would take the stalled gateway too; commands keep it. Checked on the requests Orleans'
/// code generator made for the grain interfaces.
/// </summary>
public sealed class AnyGatewayTests
{
    [Fact]
    public void Reads_marked_any_gateway_are_sent_unordered_and_nothing_else_is()
    {
        var requests = typeof(IAssetGrain).Assembly.GetTypes()
            .Where(t => typeof(IRequest).IsAssignableFrom(t) && !t.IsAbstract && !t.ContainsGenericParameters && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IRequest)Activator.CreateInstance(t)!)
            .ToList();
        Assert.NotEmpty(requests);
        var unordered = new List<string>();
        foreach (var request in requests)
        {
            var method = request.GetMethod()!;
            var marked = method.IsDefined(typeof(AnyGatewayAttribute));
            Assert.True(marked == request.Options.HasFlag(InvokeMethodOptions.Unordered), $"{method.DeclaringType!.Name}.{method.Name}");
            if (marked) unordered.Add($"{method.DeclaringType!.Name}.{method.Name}");
        }
        Assert.Contains("IAssetGrain.GetAsync", unordered);
        Assert.Contains("IDistrictGrain.QueryAsync", unordered);
        Assert.DoesNotContain("IAssetGrain.SetStatusAsync", unordered);
        Assert.All(unordered, name => Assert.True(name.Contains(".Get") || name.Contains(".Query"), $"{name} is not a read"));
    }
}
