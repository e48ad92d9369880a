using CityTwin.Domain.Access;
using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Tests.Access;

public sealed class AccessScopeTests
{
    private static readonly AccessScope Lighting = new([ScopeArea.Of(["d01", "d02"], [AssetType.Pole])]);

    [Fact]
    public void A_scope_allows_only_its_districts_times_its_types()
    {
        Assert.True(Lighting.Allows("d01", AssetType.Pole));
        Assert.False(Lighting.Allows("d01", AssetType.Camera));
        Assert.False(Lighting.Allows("d03", AssetType.Pole));
        Assert.True(Lighting.AllowsDistrict("d02"));
        Assert.False(Lighting.AllowsDistrict("d03"));
        Assert.False(Lighting.IsEverything);
    }

    [Fact]
    public void A_share_adds_an_area_and_types_per_district_are_their_union()
    {
        var scope = Lighting.Union([ScopeArea.Of(["d02", "d03"], [AssetType.Intersection])]);
        Assert.Equal([AssetType.Pole], scope.TypesIn("d01")!.Order());
        Assert.Equal([AssetType.Pole, AssetType.Intersection], scope.TypesIn("d02")!.Order());
        Assert.Equal([AssetType.Intersection], scope.TypesIn("d03")!.Order());
        Assert.Empty(scope.TypesIn("d04")!);
        Assert.True(scope.Allows("d03", AssetType.Intersection));
    }

    [Fact]
    public void Empty_lists_mean_all_and_everything_is_recognised()
    {
        Assert.True(new AccessScope([ScopeArea.Of([], [])]).IsEverything);
        Assert.Null(new AccessScope([ScopeArea.Of(["d01"], [])]).TypesIn("d01"));
        Assert.True(AccessScope.Everything.Allows("any", AssetType.Link));
        Assert.False(AccessScope.Nothing.Allows("any", AssetType.Link));
        Assert.Empty(AccessScope.Nothing.TypesIn("d01")!);
    }
}

public sealed class ApiKeyTokenTests
{
    [Fact]
    public void A_new_key_carries_its_id_and_matches_only_its_own_hash()
    {
        var (id, key) = ApiKeyToken.New();
        Assert.StartsWith(ApiKeyToken.Prefix, key);
        Assert.Equal(id, ApiKeyToken.IdOf(key));
        var hash = ApiKeyToken.Hash(key);
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain(key[^43..], hash);
        Assert.True(ApiKeyToken.Matches(key, hash));
        Assert.False(ApiKeyToken.Matches(ApiKeyToken.New().Key, hash));
        Assert.False(ApiKeyToken.Matches(key, "not-hex"));
        Assert.NotEqual(key, ApiKeyToken.New().Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ctk_")]
    [InlineData("Bearer ctk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ctk_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ctk_0123456789abcdef-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ctk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/A")]
    public void Anything_without_the_key_shape_has_no_id(string text) => Assert.Null(ApiKeyToken.IdOf(text));
}
