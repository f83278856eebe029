using System.Text;
using Azure.Storage.Blobs;
using Mlops.Core.Storage;
using Mlops.DataVersioning.Formats;
using Mlops.Storage.AzureBlob;
using Mlops.Storage.S3;

namespace Mlops.DataVersioning.Tests;

/// <summary>azure:// and s3:// remotes from .dvc/config, against Azurite and s3rver (started by ./eng/test.sh).</summary>
public sealed class CloudRemoteTests
{
    public static TheoryData<string> Kinds => new() { "azure", "s3" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Push_status_pull_and_checkout_round_trip_through_the_remote(string kind)
    {
        await using var cloud = CloudRemote.Create(kind);
        using var fixture = await DataRepoFixture.CreateAsync();
        var repository = cloud.Configure(fixture);
        fixture.Write("data/foo", "foo");
        fixture.Write("data/sub/bar", "bar");
        fixture.Write("model.bin", "weights");
        await repository.AddAsync("data");
        await repository.AddAsync("model.bin");

        Assert.Equal(new TransferResult(4, 0), await repository.PushAsync());
        Assert.True((await repository.RemoteStatusAsync()).IsInSync);

        // The objects sit below the URL's prefix, where DVC puts them.
        var oid = DataRepoFixture.Md5("weights");
        var key = ContentAddressedStore.GetKey(oid);
        Assert.True(await cloud.Raw.ExistsAsync("team/dvc/" + key));
        Assert.Equal($"{kind}://{cloud.Root}/team/dvc/{key}", await repository.GetUrlAsync("model.bin"));

        VersionedReadTests.DeleteCache(fixture);
        Directory.Delete(fixture.Full("data"), recursive: true);
        File.Delete(fixture.Full("model.bin"));
        Assert.Equal(["data", "data/foo", "data/sub/bar", "model.bin"], (await repository.RemoteStatusAsync()).Deleted);

        var pulled = await fixture.Reopen(cloud.Options()).PullAsync();

        Assert.Equal(4, pulled.Transfer.Transferred);
        Assert.Equal(["data/foo", "data/sub/bar", "model.bin"], pulled.Checkout.Added);
        Assert.Equal("weights", fixture.Read("model.bin"));
        Assert.Equal("bar", fixture.Read("data/sub/bar"));
        Assert.True((await fixture.Repository.StatusAsync()).IsClean);
        Assert.True((await fixture.Repository.RemoteStatusAsync()).IsInSync);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_versioned_read_falls_back_to_the_remote_without_filling_the_cache(string kind)
    {
        await using var cloud = CloudRemote.Create(kind);
        using var fixture = await DataRepoFixture.CreateAsync();
        var repository = cloud.Configure(fixture);
        fixture.Write("data/foo", "foo v1");
        fixture.Write("model.bin", "weights v1");
        await repository.AddAsync("data");
        await repository.AddAsync("model.bin");
        await repository.PushAsync();
        fixture.Git.Commit("v1");
        fixture.Git.Git("tag", "v1");
        fixture.Write("model.bin", "weights v2");
        await repository.AddAsync("model.bin");

        VersionedReadTests.DeleteCache(fixture);

        Assert.Equal("weights v1", Encoding.UTF8.GetString(await repository.ReadAllBytesAsync("model.bin", "v1")));
        Assert.Equal("foo v1", Encoding.UTF8.GetString(await repository.ReadAllBytesAsync("data/foo", "v1")));
        Assert.Equal("weights v2", fixture.Read("model.bin"));
        Assert.False(Directory.Exists(fixture.Full(".dvc/cache/files")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_corrupted_remote_object_is_named_and_never_enters_the_cache(string kind)
    {
        await using var cloud = CloudRemote.Create(kind);
        using var fixture = await DataRepoFixture.CreateAsync();
        var repository = cloud.Configure(fixture);
        fixture.Write("model.bin", "weights");
        await repository.AddAsync("model.bin");
        await repository.PushAsync();
        var oid = DataRepoFixture.Md5("weights");
        await repository.GetRemoteStore().WriteAsync(ContentAddressedStore.GetKey(oid), new MemoryStream("tampered"u8.ToArray()));
        VersionedReadTests.DeleteCache(fixture);
        File.Delete(fixture.Full("model.bin"));

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => fixture.Reopen(cloud.Options()).PullAsync());

        Assert.Contains("model.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.CacheObject(oid)));
        Assert.False(File.Exists(fixture.Full("model.bin")));
    }

    [Theory]
    [InlineData("azure", "account_name", "myaccount", "account_key or sas_token")]
    [InlineData("s3", "access_key_id", "AKIAEXAMPLESECRETID", "secret_access_key")]
    public async Task A_missing_credential_is_an_error_naming_the_key_without_printing_secrets(string kind, string givenKey, string givenValue, string named)
    {
        await using var cloud = CloudRemote.Create(kind);
        using var fixture = await DataRepoFixture.CreateAsync();
        cloud.Configure(fixture, withCredentials: false);
        var local = DvcConfig.Load(fixture.Full(".dvc/config.local"));
        local.Set(DvcConfig.RemoteSection("cloud"), givenKey, givenValue);
        local.Save(fixture.Full(".dvc/config.local"));
        var repository = fixture.Reopen(cloud.Options());
        fixture.Write("model.bin", "weights");
        await repository.AddAsync("model.bin");

        var error = await Assert.ThrowsAsync<DataVersioningException>(() => repository.PushAsync());

        Assert.Contains("'cloud'", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("--local", error.Message, StringComparison.Ordinal);
        if (kind == "s3")
        {
            Assert.DoesNotContain(givenValue, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A container (Azurite) or bucket (s3rver) of its own, configured as the remote 'cloud' at <c>/team/dvc</c>.</summary>
    internal sealed class CloudRemote : IAsyncDisposable
    {
        private CloudRemote(string kind, string root, BlobStore raw)
        {
            Kind = kind;
            Root = root;
            Raw = raw;
        }

        public string Kind { get; }

        /// <summary>The container or bucket.</summary>
        public string Root { get; }

        /// <summary>A store on the whole container or bucket (no prefix), to look behind the repository's back.</summary>
        public BlobStore Raw { get; }

        public string Url => $"{Kind}://{Root}/team/dvc";

        public static CloudRemote Create(string kind)
        {
            var root = "mlops-dv-" + Guid.NewGuid().ToString("N")[..20];
            return kind switch
            {
                "azure" => new CloudRemote(kind, root, new AzureBlobStore("raw", new AzureBlobStoreOptions { ConnectionString = AzureConnectionString, Container = root })),
                _ => new CloudRemote(kind, root, new S3BlobStore("raw", new S3BlobStoreOptions
                {
                    ServiceUrl = new Uri(Require("MLOPS_TEST_S3_URL")),
                    AccessKey = Require("MLOPS_TEST_S3_ACCESS_KEY"),
                    SecretKey = Require("MLOPS_TEST_S3_SECRET_KEY"),
                    ForcePathStyle = true,
                    Bucket = root,
                })),
            };
        }

        public static string AzureConnectionString => Require("MLOPS_TEST_AZURE_BLOB");

        /// <summary>The settings DVC users write: the URL (and endpoint) in .dvc/config, credentials in .dvc/config.local.</summary>
        public (string Key, string Value)[] Settings(bool local) => (Kind, local) switch
        {
            ("azure", false) => [],
            ("azure", true) => [("connection_string", AzureConnectionString)],
            (_, false) => [("endpointurl", Require("MLOPS_TEST_S3_URL"))],
            _ => [("access_key_id", Require("MLOPS_TEST_S3_ACCESS_KEY")), ("secret_access_key", Require("MLOPS_TEST_S3_SECRET_KEY"))],
        };

        /// <summary>Opens repositories with both cloud providers, as a host without dependency injection would.</summary>
        public DataRepositoryOptions Options() => new() { BlobStoreProviders = { new AzureBlobStoreProvider(), new S3BlobStoreProvider() } };

        /// <summary>Writes the remote as the default into .dvc/config (and its credentials into .dvc/config.local) and reopens the repository.</summary>
        public DataRepository Configure(DataRepoFixture fixture, bool withCredentials = true)
        {
            var section = DvcConfig.RemoteSection("cloud");
            var config = DvcConfig.Load(fixture.Full(".dvc/config"));
            config.Set("core", "remote", "cloud");
            config.Set(section, "url", Url);
            foreach (var (key, value) in Settings(local: false))
            {
                config.Set(section, key, value);
            }

            config.Save(fixture.Full(".dvc/config"));
            if (withCredentials)
            {
                var local = new DvcConfig();
                foreach (var (key, value) in Settings(local: true))
                {
                    local.Set(section, key, value);
                }

                local.Save(fixture.Full(".dvc/config.local"));
            }

            return fixture.Reopen(Options());
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await foreach (var blob in Raw.ListAsync())
                {
                    await Raw.DeleteAsync(blob.Key);
                }

                if (Kind == "azure")
                {
                    await new BlobServiceClient(AzureConnectionString).GetBlobContainerClient(Root).DeleteIfExistsAsync();
                }
            }
            catch (BlobStoreException)
            {
                // Best effort: the services run on fresh folders in ./eng/test.sh.
            }
        }

        private static string Require(string variable) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{variable} is not set, so there is no Azurite / s3rver to test against. Run ./eng/test.sh, which starts both on 127.0.0.1 and sets it.");
    }
}
