namespace CityTwin.AppHost.Tests;

[CollectionDefinition(Name)]
public sealed class TwinAppCollection : ICollectionFixture<TwinAppFixture>
{
    public const string Name = "apphost";
}
