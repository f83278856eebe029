using System.Text.Json;

namespace Mlops.Cli.Tests;

/// <summary>The tracking verbs against the real PostgreSQL server that eng/test.sh starts.</summary>
public sealed class TrackingPostgreSqlCommandsTests
{
    [Fact]
    public async Task Store_option_takes_a_postgresql_connection_string()
    {
        var connectionString = Environment.GetEnvironmentVariable("MLOPS_TEST_POSTGRES")
            ?? throw new Xunit.Sdk.XunitException("MLOPS_TEST_POSTGRES is not set: run ./eng/test.sh, which starts PostgreSQL on 127.0.0.1 and sets it.");
        var name = "cli-" + Guid.NewGuid().ToString("N");

        var created = await CliRun.RunAsync("experiments", "create", name, "--store", connectionString);
        var list = await CliRun.RunAsync("experiments", "list", "--json", "--store", connectionString);

        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Equal(0, list.ExitCode);
        using var json = JsonDocument.Parse(list.Stdout);
        Assert.Contains(json.RootElement.GetProperty("experiments").EnumerateArray(), e => e.GetProperty("name").GetString() == name);
    }
}
