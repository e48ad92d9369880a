namespace CityTwin.Grains;

/// <summary>
/// Makes a fan-out (a link's condition or a district's power to every dependent) survive the death of the silo that
/// sends it: a reminder is registered before the first dependent is told and removed after the last one was. If the
/// silo dies in between, the reminder fires on a surviving silo within <see cref="Period"/> of the death being noticed,
/// activating the sender there, which sends the change again. Reminders are stored in the database on PostgreSQL; on
/// SQLite (one machine) they are Orleans' in-memory table, which survives the silos that do not hold it.
/// </summary>
internal sealed class FanOutGuard(Grain grain)
{
    public const string Name = "fan-out";

    /// <summary>Orleans' shortest reminder period by default; the guard only ever fires after a silo died mid fan-out.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private IGrainReminder? _reminder;

    public async Task BeginAsync() => _reminder = await grain.RegisterOrUpdateReminder(Name, Period, Period);

    public async Task EndAsync()
    {
        if ((_reminder ?? await grain.GetReminder(Name)) is { } reminder) await grain.UnregisterReminder(reminder);
        _reminder = null;
    }
}
