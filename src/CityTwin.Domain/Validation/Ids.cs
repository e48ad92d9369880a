using System.Text.RegularExpressions;

namespace CityTwin.Domain.Validation;

/// <summary>Identifiers of assets, districts and feeders: short, URL-safe, case-sensitive.</summary>
public static partial class Ids
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    // \z, not $: in .NET "$" also matches before a trailing newline, which would let "pole-1\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\z")]
    private static partial Regex IdPattern();
}
