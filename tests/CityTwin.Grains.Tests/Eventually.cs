namespace CityTwin.Grains.Tests;

/// <summary>Cascades travel over streams: wait (bounded) until what a test expects has happened.</summary>
internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) return value; // the caller's assertions say what is wrong
            await Task.Delay(20);
        }
    }
}
