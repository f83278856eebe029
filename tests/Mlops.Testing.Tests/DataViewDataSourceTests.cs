using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Testing.Data;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class DataViewDataSourceTests
{
    public sealed class Car
    {
        public float Mpg { get; set; }

        public string Origin { get; set; } = string.Empty;

        public bool Imported { get; set; }

        public int Cylinders { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private static IDataView Cars()
    {
        var ml = new MLContext(seed: 1);
        var cars = new[]
        {
            new Car { Mpg = 18, Origin = "USA", Imported = false, Cylinders = 8, Features = [1, 2] },
            new Car { Mpg = float.NaN, Origin = "Japan", Imported = true, Cylinders = 4, Features = [3, float.NaN] },
            new Car { Mpg = 31, Origin = string.Empty, Imported = true, Cylinders = 4, Features = [5, 6] },
        };
        var view = ml.Data.LoadFromEnumerable(cars);
        return ml.Transforms.Conversion.MapValueToKey("OriginKey", "Origin").Fit(view).Transform(view);
    }

    [Fact]
    public async Task Columns_are_typed_and_nan_empty_text_and_vectors_are_handled()
    {
        var source = new DataViewDataSource(Cars(), "cars");

        var schema = await source.GetSchemaAsync();

        Assert.Equal(
            ["Mpg:Double", "Origin:String", "Imported:Boolean", "Cylinders:Int64", "Features[0]:Double", "Features[1]:Double", "OriginKey:Int64"],
            schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal([18.0, null, 31.0], await ReadColumnAsync(source, "Mpg", batchSize: 2));
        Assert.Equal(["USA", "Japan", null], await ReadColumnAsync(source, "Origin"));
        Assert.Equal([1.0, 3.0, 5.0], await ReadColumnAsync(source, "Features[0]"));
        Assert.Equal([2.0, null, 6.0], await ReadColumnAsync(source, "Features[1]"));
        Assert.Equal([1L, 2L, null], await ReadColumnAsync(source, "OriginKey"));
        Assert.Equal(3L, await source.GetRowCountAsync());
    }

    [Fact]
    public async Task A_suite_reports_nan_as_missing_unlike_a_silent_zero()
    {
        var suite = ExpectationSuite.Create("cars")
            .ExpectColumnValuesToNotBeNull("Mpg")
            .ExpectColumnValuesToBeBetween("Mpg", 10, 40)
            .ExpectColumnValuesToNotBeNull("Features[1]")
            .Build();

        var result = await suite.ValidateAsync(new DataViewDataSource(Cars()));

        Assert.Equal([1L], result.Results[0].Result.PartialUnexpectedIndexList);
        Assert.True(result.Results[1].Success);
        Assert.Equal([1L], result.Results[2].Result.PartialUnexpectedIndexList);
    }
}
