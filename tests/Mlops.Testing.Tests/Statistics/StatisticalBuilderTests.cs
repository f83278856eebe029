using System.Text.Json;

namespace Mlops.Testing.Tests.Statistics;

public sealed class StatisticalBuilderTests
{
    private sealed record Car(string Origin, double Weight);

    // 60 % USA, 20 % Europe, 20 % Japan; weights spread evenly over [2000, 3000).
    private static readonly Car[] Cars = [.. Enumerable.Range(0, 100).Select(i => new Car(i % 5 < 3 ? "USA" : i % 5 == 3 ? "Europe" : "Japan", 2000 + (i * 37 % 100) * 10))];

    [Fact]
    public void The_builder_writes_the_statistical_expectations_with_GX_kwargs_and_they_evaluate()
    {
        var suite = ExpectationSuite.Create("cars")
            .ExpectColumnChisquareTestPValueToBeGreaterThan("Origin", ["USA", "Europe", "Japan"], [0.6, 0.2, 0.2])
            .ExpectColumnKlDivergenceToBeLessThan("Origin", ["USA", "Europe", "Japan"], [0.2, 0.4, 0.4], threshold: 0.1)
            .ExpectColumnParameterizedDistributionKsTestPValueToBeGreaterThan("Weight", "uniform", [2000, 1000])
            .Build();

        var results = suite.Validate(Cars).Results;

        Assert.True(results[0].Success);   // the shares match exactly: p = 1
        Assert.False(results[1].Success);  // 0.6/0.2/0.2 against 0.2/0.4/0.4 diverges
        Assert.True(results[2].Success);   // evenly spread over [2000, 3000)
        using var json = JsonDocument.Parse(suite.ToJson());
        var chisquare = json.RootElement.GetProperty("expectations")[0].GetProperty("kwargs");
        Assert.Equal("USA", chisquare.GetProperty("partition_object").GetProperty("values")[0].GetString());
        Assert.Equal(0.05, chisquare.GetProperty("p").GetDouble());
        Assert.Equal(1000, json.RootElement.GetProperty("expectations")[2].GetProperty("kwargs").GetProperty("params")[1].GetDouble());
    }
}
