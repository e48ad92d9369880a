using CityTwin.Contracts.Assets;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The district's last readings, for its assets' history: one ring of about <c>perAsset</c> readings per member,
/// not a queue per asset (a million of those is a million more objects). An asset that reports more often than the
/// others shows more of its own; one that reports rarely may show fewer than <c>perAsset</c>.
/// </summary>
internal sealed class RecentReadings(int perAsset)
{
    private string[] _ids = [];
    private ReceivedReading[] _readings = [];
    private int _next, _count;

    /// <summary>Grows the ring with the district (never shrinks it): room for <c>perAsset</c> readings of each member.</summary>
    public void Fit(int members)
    {
        var capacity = perAsset * Math.Max(members, 64);
        if (capacity <= _ids.Length) return;
        var ids = new string[capacity];
        var readings = new ReceivedReading[capacity];
        for (var k = 0; k < _count; k++) // oldest first
        {
            var at = (_next - _count + k + _ids.Length) % _ids.Length;
            ids[k] = _ids[at];
            readings[k] = _readings[at];
        }
        (_ids, _readings, _next) = (ids, readings, _count % capacity);
    }

    public void Add(string id, ReceivedReading reading)
    {
        if (_ids.Length == 0) return;
        _ids[_next] = id;
        _readings[_next] = reading;
        _next = (_next + 1) % _ids.Length;
        _count = Math.Min(_count + 1, _ids.Length);
    }

    /// <summary>The asset's readings still in the ring, newest first.</summary>
    public ReceivedReading[] Of(string id, int limit)
    {
        var found = new List<ReceivedReading>();
        for (var k = 1; k <= _count && found.Count < limit; k++)
        {
            var at = (_next - k + _ids.Length) % _ids.Length;
            if (_ids[at] == id) found.Add(_readings[at]);
        }
        return [.. found];
    }
}
