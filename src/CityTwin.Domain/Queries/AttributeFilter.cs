using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Queries;

[GenerateSerializer, Alias("FilterOp")]
public enum FilterOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>
/// A condition on a live attribute, such as <c>dimLevel&lt;50</c> or <c>feedOnline=false</c>. An asset whose type has no
/// attribute of that name does not match.
/// </summary>
[GenerateSerializer, Immutable, Alias("AttributeFilter")]
public sealed record AttributeFilter([property: Id(0)] string Name, [property: Id(1)] FilterOp Op, [property: Id(2)] double Value)
{
    public bool Matches(AssetType type, double[]? values)
    {
        if (values is null) return false;
        var attributes = AssetAttributes.Of(type);
        for (var i = 0; i < attributes.Count; i++)
        {
            if (!string.Equals(attributes[i].Name, Name, StringComparison.OrdinalIgnoreCase)) continue;
            if (i >= values.Length) return false;
            var v = values[i];
            return Op switch
            {
                FilterOp.Equal => v == Value,
                FilterOp.NotEqual => v != Value,
                FilterOp.Less => v < Value,
                FilterOp.LessOrEqual => v <= Value,
                FilterOp.Greater => v > Value,
                _ => v >= Value,
            };
        }
        return false;
    }

    public override string ToString() => Name + Op switch
    {
        FilterOp.Equal => "=",
        FilterOp.NotEqual => "!=",
        FilterOp.Less => "<",
        FilterOp.LessOrEqual => "<=",
        FilterOp.Greater => ">",
        _ => ">=",
    } + Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
