namespace CityTwin.Domain.Validation;

/// <summary>One rule an input broke: the JSON path of the field and why.</summary>
[GenerateSerializer, Immutable, Alias("ValidationError")]
public sealed record ValidationError([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    public ValidationError Under(string prefix) => this with { Field = $"{prefix}.{Field}" };
}
