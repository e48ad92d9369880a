namespace CityTwin.LoadTests;

/// <summary>How a results table marks a figure against its goal.</summary>
public static class Goals
{
    public static string Mark(bool met) => met ? "✅" : "❌";
}
