using CityTwin.Domain.Access;
using Microsoft.Extensions.Configuration;

/// <summary>
/// The deployment's first admin key. A key given as <c>CityTwin:AdminKey</c> (user-secrets, environment) is used as
/// it is; otherwise one is made on the first start, its hash kept in &lt;data&gt;/admin-key.sha256 and the key itself
/// printed once. The API gets only the hash. <c>--CityTwin:NewAdminKey=true</c> makes a new one (the old one stays
/// valid until an admin revokes it through /api/keys).
/// </summary>
internal static class FirstAdminKey
{
    public sealed record Resolved(string IdAndHash, string? ShowOnce);

    public static Resolved Resolve(IConfiguration configuration, string dataDirectory)
    {
        if (configuration["CityTwin:AdminKey"] is { Length: > 0 } given)
        {
            var id = ApiKeyToken.IdOf(given) ?? throw new InvalidOperationException("CityTwin:AdminKey is not a CityTwin key (ctk_…); leave it unset to have one made.");
            return new($"{id}:{ApiKeyToken.Hash(given)}", null);
        }
        var file = Path.Combine(dataDirectory, "admin-key.sha256");
        if (File.Exists(file) && !configuration.GetValue("CityTwin:NewAdminKey", false)) return new(File.ReadAllText(file).Trim(), null);

        var (newId, key) = ApiKeyToken.New();
        var idAndHash = $"{newId}:{ApiKeyToken.Hash(key)}";
        File.WriteAllText(file, idAndHash + "\n");
        return new(idAndHash, key);
    }
}
