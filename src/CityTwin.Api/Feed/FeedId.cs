using System.Globalization;

namespace CityTwin.Api.Feed;

/// <summary>
/// Feed event ids: "{epoch}-{number}". The epoch is drawn when the API process starts, so an id from another
/// process (or an earlier life of this one) is recognised as unknown rather than mistaken for a position here.
/// </summary>
public static class FeedId
{
    public static string NewEpoch() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4));

    public static string Format(string epoch, long number) => $"{epoch}-{number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The number, when <paramref name="id"/> is an id of this <paramref name="epoch"/>.</summary>
    public static long? Parse(string? id, string epoch)
    {
        if (id is null || id.Length < epoch.Length + 2 || id[epoch.Length] != '-' || !id.StartsWith(epoch, StringComparison.Ordinal)) return null;
        return long.TryParse(id.AsSpan(epoch.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
