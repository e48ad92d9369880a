namespace CityTwin.Grains;

/// <summary>
/// A reminder held while a grain does work that its silo's death must not lose — a fan-out of a link's condition or a
/// district's power to every dependent, a scenario's run: registered before the work starts, removed once it is done.
/// If the silo dies in between, the reminder fires on a surviving silo within <see cref="Period"/> of the death being
/// noticed and activates the grain there, whose activation takes the work up again. Reminders are stored in the
/// database on PostgreSQL; on SQLite (one machine) they are Orleans' in-memory table, which survives the silos that do
/// not hold it.
/// </summary>
internal sealed class ResumeReminder(Grain grain, string name)
{
    /// <summary>Orleans' shortest reminder period by default; the reminder only ever fires after a silo died mid-work.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private IGrainReminder? _reminder;

    public async Task BeginAsync() => _reminder = await grain.RegisterOrUpdateReminder(name, Period, Period);

    public async Task EndAsync()
    {
        if ((_reminder ?? await grain.GetReminder(name)) is { } reminder) await grain.UnregisterReminder(reminder);
        _reminder = null;
    }
}
