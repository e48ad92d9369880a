using System.Security.Cryptography;
using System.Text;

namespace CityTwin.Domain.Access;

/// <summary>
/// API keys as handed out: <c>ctk_{id}_{secret}</c>. The id finds the stored record; only SHA-256 of the whole key is
/// stored. The secret is 256 random bits, so a slow password hash would add no protection (nothing to guess), only
/// cost on every request — the practice of GitHub's and Stripe's tokens.
/// </summary>
public static class ApiKeyToken
{
    public const string Prefix = "ctk_";
    private const int IdLength = 16;

    /// <summary>A new key and its id; the key is shown once and never stored.</summary>
    public static (string Id, string Key) New()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The id in a key that has the key's shape; null for anything else.</summary>
    public static string? IdOf(ReadOnlySpan<char> key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length != Prefix.Length + IdLength + 1 + 43) return null;
        var id = key.Slice(Prefix.Length, IdLength);
        if (key[Prefix.Length + IdLength] != '_') return null;
        foreach (var c in id) if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return null;
        foreach (var c in key[(Prefix.Length + IdLength + 1)..]) if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return null;
        return id.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="hash"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(string key, string hash)
    {
        Span<byte> computed = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), computed);
        Span<byte> stored = stackalloc byte[32];
        return Convert.FromHexString(hash, stored, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            && CryptographicOperations.FixedTimeEquals(computed, stored);
    }
}
