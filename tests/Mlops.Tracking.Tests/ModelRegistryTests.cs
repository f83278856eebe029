using Mlops.Tracking.Registry;

namespace Mlops.Tracking.Tests;

public sealed class ModelRegistryTests : IAsyncLifetime
{
    private readonly TrackerFixture _fixture = new();
    private ModelRegistry _registry = null!;

    public Task InitializeAsync()
    {
        _registry = new ModelRegistry(_fixture.Store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Registering_creates_the_model_then_adds_versions()
    {
        var run = await _fixture.Tracker.StartRunAsync("auto-mpg");
        await run.CompleteAsync();

        var v1 = await _registry.RegisterRunModelAsync("mpg", run.RunId);
        var v2 = await _registry.RegisterModelAsync("mpg", "s3-bucket/elsewhere/model", tags: new Dictionary<string, string> { ["data"] = "v2" }, description: "retrained");

        Assert.Equal(1, v1.Version);
        Assert.Equal($"{run.ExperimentId}/{run.RunId}/artifacts/model", v1.Source);
        Assert.Equal(run.RunId, v1.RunId);
        Assert.Equal(2, v2.Version);
        Assert.Equal("retrained", v2.Description);
        Assert.Equal("v2", v2.Tags["data"]);
        Assert.Equal(2, (await _registry.GetModelAsync("mpg"))!.LatestVersion);
    }

    [Fact]
    public async Task Model_uris_resolve_by_version_alias_and_latest()
    {
        await _registry.RegisterModelAsync("mpg", "a");
        await _registry.RegisterModelAsync("mpg", "b");
        await _registry.RegisterModelAsync("mpg", "c");
        await _registry.SetAliasAsync("mpg", "champion", 2);

        Assert.Equal("a", (await _registry.ResolveAsync("models:/mpg/1")).Source);
        Assert.Equal("b", (await _registry.ResolveAsync("models:/mpg@champion")).Source);
        Assert.Equal("c", (await _registry.ResolveAsync("models:/mpg/latest")).Source);

        await _registry.SetAliasAsync("mpg", "champion", 3);
        Assert.Equal("c", (await _registry.ResolveAsync("models:/mpg@champion")).Source);
    }

    [Theory]
    [InlineData("models:/mpg/9")]
    [InlineData("models:/mpg@nobody")]
    [InlineData("models:/unknown/latest")]
    public async Task Unresolvable_uris_name_themselves(string uri)
    {
        await _registry.RegisterModelAsync("mpg", "a");

        var error = await Assert.ThrowsAsync<TrackingException>(() => _registry.ResolveAsync(uri));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_from_a_missing_run_is_refused()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => _registry.RegisterRunModelAsync("mpg", new string('a', 32)));

        Assert.Equal(TrackingErrorCode.NotFound, error.ErrorCode);
        Assert.Null(await _registry.GetModelAsync("mpg"));
    }

    [Fact]
    public async Task Aliases_can_be_deleted_and_versions_tagged()
    {
        await _registry.RegisterModelAsync("mpg", "a");
        await _registry.SetAliasAsync("mpg", "challenger", 1);
        await _registry.SetVersionTagAsync("mpg", 1, "validated", "true");

        Assert.True(await _registry.DeleteAliasAsync("mpg", "challenger"));
        Assert.Empty((await _registry.GetVersionAsync("mpg", 1))!.Aliases);
        Assert.Equal("true", (await _registry.GetVersionAsync("mpg", 1))!.Tags["validated"]);
        Assert.Single(await _registry.ListVersionsAsync("mpg"));
        var models = new List<RegisteredModel>();
        await foreach (var model in _registry.ListModelsAsync())
        {
            models.Add(model);
        }

        Assert.Equal(["mpg"], models.Select(m => m.Name));
    }

    [Fact]
    public async Task Concurrent_registrations_get_distinct_version_numbers()
    {
        await using var second = new Sqlite.SqliteTrackingStore(_fixture.Store.Path);
        var otherRegistry = new ModelRegistry(second);

        var versions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? _registry : otherRegistry).RegisterModelAsync("mpg", $"source-{i}")));

        Assert.Equal(Enumerable.Range(1, 20), versions.Select(v => v.Version).Order());
    }
}

public sealed class ModelUriTests
{
    [Theory]
    [InlineData("models:/mpg/3", "mpg", 3, null)]
    [InlineData("models:/mpg@champion", "mpg", null, "champion")]
    [InlineData("models:/mpg/latest", "mpg", null, null)]
    [InlineData("models:/my model/12", "my model", 12, null)]
    public void Valid_uris_parse_and_print_back(string text, string name, int? version, string? alias)
    {
        var uri = ModelUri.Parse(text);

        Assert.Equal(name, uri.Name);
        Assert.Equal(version, uri.Version);
        Assert.Equal(alias, uri.Alias);
        Assert.Equal(version is null && alias is null, uri.IsLatest);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData("runs:/abc/model")]
    [InlineData("models:/mpg")]
    [InlineData("models:/mpg/0")]
    [InlineData("models:/mpg/x")]
    [InlineData("models:/mpg@")]
    [InlineData("models://3")]
    public void Invalid_uris_are_refused_with_the_accepted_forms(string text)
    {
        var error = Assert.Throws<TrackingException>(() => ModelUri.Parse(text));

        Assert.False(ModelUri.TryParse(text, out _));
        Assert.Contains("models:/<name>/<version>", error.Message, StringComparison.Ordinal);
    }
}
