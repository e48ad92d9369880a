using CityTwin.Domain.Access;
using Microsoft.Extensions.Configuration;

namespace CityTwin.AppHost.Tests;

/// <summary>The first admin key: shown once, only its hash kept, a deployment's own key used as given.</summary>
public sealed class FirstAdminKeyTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void First_start_shows_a_key_once_and_keeps_only_its_hash()
    {
        var data = Directory.CreateTempSubdirectory("citytwin-key-").FullName;
        var first = FirstAdminKey.Resolve(Config(), data);
        Assert.NotNull(first.ShowOnce);
        var stored = File.ReadAllText(Path.Combine(data, "admin-key.sha256"));
        Assert.DoesNotContain(first.ShowOnce!, stored);
        Assert.Equal($"{ApiKeyToken.IdOf(first.ShowOnce!)}:{ApiKeyToken.Hash(first.ShowOnce!)}", stored.Trim());

        var second = FirstAdminKey.Resolve(Config(), data);
        Assert.Null(second.ShowOnce);
        Assert.Equal(first.IdAndHash, second.IdAndHash);

        var renewed = FirstAdminKey.Resolve(Config(("CityTwin:NewAdminKey", "true")), data);
        Assert.NotNull(renewed.ShowOnce);
        Assert.NotEqual(first.IdAndHash, renewed.IdAndHash);
    }

    [Fact]
    public void A_configured_key_is_used_and_never_shown()
    {
        var data = Directory.CreateTempSubdirectory("citytwin-key-").FullName;
        var (id, key) = ApiKeyToken.New();
        var resolved = FirstAdminKey.Resolve(Config(("CityTwin:AdminKey", key)), data);
        Assert.Null(resolved.ShowOnce);
        Assert.Equal($"{id}:{ApiKeyToken.Hash(key)}", resolved.IdAndHash);
        Assert.False(File.Exists(Path.Combine(data, "admin-key.sha256")));
    }
}
