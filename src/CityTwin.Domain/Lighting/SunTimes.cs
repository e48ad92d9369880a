namespace CityTwin.Domain.Lighting;

/// <summary>
/// When the sun crosses an altitude on one UTC date: rise and set (null when it does not cross it that day), and
/// whether it stays above (midnight sun) or below (polar night) all day.
/// </summary>
public readonly record struct SunTimes(DateTimeOffset? Rise, DateTimeOffset? Set, bool AlwaysUp, bool AlwaysDown);
