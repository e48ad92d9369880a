using System.Globalization;

namespace CityTwin.Domain.Traffic;

/// <summary>Builds the regular grid of a <see cref="GridSpec"/>; intersection (row, column) is node row × Columns + column.</summary>
public static class GridNetwork
{
    public static RoadNetwork Build(GridSpec spec)
    {
        if (spec.Rows < 1 || spec.Columns < 1) throw new ArgumentOutOfRangeException(nameof(spec), "A grid needs at least one row and one column.");
        if (spec.DistrictRows < 1 || spec.DistrictColumns < 1 || spec.DistrictRows > spec.Rows || spec.DistrictColumns > spec.Columns)
            throw new ArgumentOutOfRangeException(nameof(spec), "Districts must cut the grid into at least one intersection each.");
        var b = new RoadNetworkBuilder();
        var plan = Assets.SignalPlan.TwoPhase(spec.CycleSeconds, spec.LostTimePerPhaseSeconds);
        var (rows, cols, block) = (spec.Rows, spec.Columns, spec.BlockLengthM);
        var format = "D" + Math.Max(4, (rows * cols).ToString(CultureInfo.InvariantCulture).Length);
        string District(int r, int c) => "d" + (r * spec.DistrictRows / rows * spec.DistrictColumns + c * spec.DistrictColumns / cols + 1).ToString("D2", CultureInfo.InvariantCulture);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
            b.AddIntersection("int-" + (r * cols + c + 1).ToString(format, CultureInfo.InvariantCulture), c * block, -r * block, District(r, c), plan, spec.Mode);

        void Road(int from, int to, double length) => b.AddLink(from, to, length, spec.Lanes, spec.SpeedKmh);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
        {
            var i = r * cols + c;
            if (r > 0) Road(i, i - cols, block);
            if (c + 1 < cols) Road(i, i + 1, block);
            if (r + 1 < rows) Road(i, i + cols, block);
            if (c > 0) Road(i, i - 1, block);
        }
        var f = spec.FringeLengthM;
        void Fringe(string side, int k, int i, double dx, double dy)
        {
            var node = b.AddFringe($"fringe-{side}-{k + 1}", (i % cols) * block + dx, -(i / cols) * block + dy, District(i / cols, i % cols));
            Road(node, i, f);
            Road(i, node, f);
        }
        for (var c = 0; c < cols; c++) Fringe("n", c, c, 0, f);
        for (var r = 0; r < rows; r++) Fringe("e", r, r * cols + cols - 1, f, 0);
        for (var c = 0; c < cols; c++) Fringe("s", c, (rows - 1) * cols + c, 0, -f);
        for (var r = 0; r < rows; r++) Fringe("w", r, r * cols, -f, 0);
        return b.Build();
    }
}
