using Mlops.Testing.Data;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class EnumerableDataSourceTests
{
    private enum Color
    {
        Red,
        Blue,
    }

    private sealed class Poco
    {
        public int I { get; set; }

        public float? F { get; set; }

        public decimal M { get; set; }

        public string? S { get; set; }

        public Color C { get; set; }

        public DateOnly D { get; set; }

        public DateTimeOffset? O { get; set; }

        public bool B { get; set; }

        public List<int> Ignored { get; set; } = [];
    }

    [Fact]
    public async Task Properties_become_typed_columns_and_nulls_and_nan_are_missing()
    {
        var rows = new[]
        {
            new Poco { I = 1, F = 1.5f, M = 2.25m, S = "a", C = Color.Blue, D = new DateOnly(2020, 1, 2), O = new DateTimeOffset(2020, 1, 2, 3, 0, 0, TimeSpan.FromHours(1)), B = true },
            new Poco { I = 2, F = null, M = 0m, S = null, C = Color.Red, D = new DateOnly(2021, 1, 1), O = null },
            new Poco { I = 3, F = float.NaN },
        };
        var source = DataSource.FromEnumerable(rows);

        var schema = await source.GetSchemaAsync();

        Assert.Equal(["I:Int64", "F:Double", "M:Double", "S:String", "C:String", "D:DateTime", "O:DateTime", "B:Boolean"], schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal([1L, 2L, 3L], await ReadColumnAsync(source, "I"));
        Assert.Equal([1.5, null, null], await ReadColumnAsync(source, "F"));
        Assert.Equal([2.25, 0.0, 0.0], await ReadColumnAsync(source, "M"));
        Assert.Equal(["a", null, null], await ReadColumnAsync(source, "S"));
        Assert.Equal(["Blue", "Red", "Red"], await ReadColumnAsync(source, "C"));
        Assert.Equal([new DateTime(2020, 1, 2), new DateTime(2021, 1, 1), DateTime.MinValue], await ReadColumnAsync(source, "D"));
        Assert.Equal([new DateTime(2020, 1, 2, 2, 0, 0, DateTimeKind.Utc), null, null], await ReadColumnAsync(source, "O"));
        Assert.Equal(3L, await source.GetRowCountAsync());
    }

    [Fact]
    public async Task A_lazy_sequence_is_streamed_in_batches()
    {
        static IEnumerable<Row> Generate()
        {
            for (var i = 0; i < 10; i++)
            {
                yield return new Row(X: i);
            }
        }

        var source = DataSource.FromEnumerable(Generate());

        Assert.Null(await source.GetRowCountAsync());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object?)(double)i), await ReadColumnAsync(source, "X", batchSize: 4));
    }
}
