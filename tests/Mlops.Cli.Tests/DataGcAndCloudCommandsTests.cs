using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Mlops.Conformance;

namespace Mlops.Cli.Tests;

/// <summary><c>mlops gc</c>, the revision scopes of push and fetch, and azure:// / s3:// remotes (Azurite and s3rver from ./eng/test.sh).</summary>
public sealed class DataGcAndCloudCommandsTests : IDisposable
{
    private readonly DataGitRepository _repo = new();
    private readonly TempDirectory _remote = new();

    public void Dispose()
    {
        _repo.Dispose();
        _remote.Dispose();
    }

    private static CliRun Success(CliRun run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\nstdout: {run.Stdout}\nstderr: {run.Stderr}");
        return run;
    }

    private static string Md5(string content) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(content)));

    private string CacheObject(string oid) => _repo.Full($".dvc/cache/files/md5/{oid[..2]}/{oid[2..]}");

    /// <summary>data.csv at tag v1 ("v1"), then "v2 data" in the workspace and HEAD.</summary>
    private async Task CreateTwoVersionsAsync()
    {
        Success(await _repo.RunAsync("init"));
        _repo.Write("data.csv", "v1");
        Success(await _repo.RunAsync("add", "data.csv"));
        _repo.Commit("v1");
        _repo.Git("tag", "v1");
        _repo.Write("data.csv", "v2 data");
        Success(await _repo.RunAsync("add", "data.csv"));
        _repo.Commit("v2");
    }

    [Fact]
    public async Task Gc_asks_for_a_scope_and_for_confirmation_lists_on_dry_and_removes_with_force()
    {
        await CreateTwoVersionsAsync();
        var old = Md5("v1");

        var noScope = await _repo.RunAsync("gc", "-f");
        Assert.Equal(2, noScope.ExitCode);
        Assert.Contains("-w", noScope.Stderr, StringComparison.Ordinal);

        // Tests run without a terminal on stdin, so there is no one to ask.
        var unconfirmed = await _repo.RunAsync("gc", "-w");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("use -f", unconfirmed.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(CacheObject(old)));

        var dry = Success(await _repo.RunAsync("gc", "-w", "--dry"));
        Assert.Contains($"would remove\t{old}", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("Would remove 1 object (2 bytes) from the cache.", dry.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(CacheObject(old)));

        Assert.Contains("No unused cache to remove.", Success(await _repo.RunAsync("gc", "-T", "-f")).Stdout, StringComparison.Ordinal);
        Assert.Contains("No unused cache to remove.", Success(await _repo.RunAsync("gc", "--rev", "v1", "-f")).Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(CacheObject(old)));

        Assert.Contains("Removed 1 object (2 bytes) from the cache.", Success(await _repo.RunAsync("gc", "-w", "-f")).Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(CacheObject(old)));
        Assert.True(File.Exists(CacheObject(Md5("v2 data"))));
    }

    [Fact]
    public async Task Push_of_a_revision_or_all_tags_and_cloud_gc_work_on_a_local_remote()
    {
        await CreateTwoVersionsAsync();
        Success(await _repo.RunAsync("remote", "add", "-d", "origin", _remote.Path));
        var remoteObject = (string oid) => _remote.Combine("files", "md5", oid[..2], oid[2..]);

        Assert.Contains("1 file pushed", Success(await _repo.RunAsync("push")).Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(remoteObject(Md5("v1"))));
        Assert.Contains("1 file pushed", Success(await _repo.RunAsync("push", "--rev", "v1")).Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(remoteObject(Md5("v1"))));
        Assert.Contains("Everything is up to date.", Success(await _repo.RunAsync("push", "-T")).Stdout, StringComparison.Ordinal);

        var gc = Success(await _repo.RunAsync("gc", "-w", "-c", "-f"));

        Assert.Contains("Removed 1 object (2 bytes) from remote 'origin'.", gc.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(remoteObject(Md5("v1"))));
        Assert.True(File.Exists(remoteObject(Md5("v2 data"))));
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("s3")]
    public async Task A_cloud_remote_added_and_modified_on_the_command_line_pushes_and_pulls(string kind)
    {
        var root = "mlops-cli-" + Guid.NewGuid().ToString("N")[..20];
        var secret = kind == "azure" ? AzureAccountKey : Require("MLOPS_TEST_S3_SECRET_KEY");
        try
        {
            Success(await _repo.RunAsync("init"));
            _repo.Write("data/a.csv", "a,b\n1,2\n");
            Success(await _repo.RunAsync("add", "data"));
            Success(await _repo.RunAsync("remote", "add", "-d", "cloud", $"{kind}://{root}/team/dvc"));

            var missing = await _repo.RunAsync("push");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains(kind == "azure" ? "connection_string" : "access_key_id and secret_access_key", missing.Stderr, StringComparison.Ordinal);

            if (kind == "azure")
            {
                Success(await _repo.RunAsync("remote", "modify", "cloud", "connection_string", Require("MLOPS_TEST_AZURE_BLOB"), "--local"));
            }
            else
            {
                Success(await _repo.RunAsync("remote", "modify", "cloud", "endpointurl", Require("MLOPS_TEST_S3_URL")));
                Success(await _repo.RunAsync("remote", "modify", "cloud", "access_key_id", Require("MLOPS_TEST_S3_ACCESS_KEY"), "--local"));
                Success(await _repo.RunAsync("remote", "modify", "cloud", "secret_access_key", secret, "--local"));
            }

            Assert.DoesNotContain(secret, _repo.Read(".dvc/config"), StringComparison.Ordinal);
            var push = Success(await _repo.RunAsync("push"));
            Assert.Contains("2 files pushed", push.Stdout, StringComparison.Ordinal);
            Assert.Contains("are in sync", Success(await _repo.RunAsync("status", "-c")).Stdout, StringComparison.Ordinal);
            Assert.StartsWith($"{kind}://{root}/team/dvc/files/md5/", Success(await _repo.RunAsync("get-url", "data/a.csv")).Stdout, StringComparison.Ordinal);

            Directory.Delete(_repo.Full(".dvc/cache"), recursive: true);
            Directory.Delete(_repo.Full("data"), recursive: true);
            var pull = Success(await _repo.RunAsync("pull"));

            Assert.Contains("2 files fetched, 1 file added", pull.Stdout, StringComparison.Ordinal);
            Assert.Equal("a,b\n1,2\n", _repo.Read("data/a.csv"));
            foreach (var run in new[] { missing, push, pull })
            {
                Assert.DoesNotContain(secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (kind == "azure")
            {
                await new BlobServiceClient(Require("MLOPS_TEST_AZURE_BLOB")).GetBlobContainerClient(root).DeleteIfExistsAsync();
            }
        }
    }

    private static string AzureAccountKey =>
        Require("MLOPS_TEST_AZURE_BLOB").Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set, so there is no Azurite / s3rver to test against. Run ./eng/test.sh, which starts both on 127.0.0.1 and sets it.");
}
