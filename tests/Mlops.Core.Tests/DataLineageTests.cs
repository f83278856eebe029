using Mlops.Core.Lineage;

namespace Mlops.Core.Tests;

public sealed class DataLineageTests
{
    private static readonly DataRead Read = new("data/a.csv", DataLineage.Workspace, "0123456789abcdef0123456789abcdef");

    [Fact]
    public void The_most_recent_listener_hears_a_read_and_the_previous_one_again_once_it_stops()
    {
        var outer = new List<DataRead>();
        var inner = new List<DataRead>();
        using var outerScope = DataLineage.Listen(outer.Add);
        using (DataLineage.Listen(inner.Add))
        {
            DataLineage.Report(Read);
        }

        DataLineage.Report(Read with { Path = "data/b.csv" });

        Assert.Equal([Read], inner);
        Assert.Equal(["data/b.csv"], outer.Select(r => r.Path));
    }

    [Fact]
    public void A_failing_listener_does_not_fail_the_read()
    {
        using var scope = DataLineage.Listen(_ => throw new InvalidOperationException("the run has ended"));
        DataLineage.Report(Read);
    }
}
