using Mlops.Core.Storage;

namespace Mlops.Core.Tests;

public sealed class BlobStoreProviderTests
{
    [Fact]
    public void A_relative_path_resolves_against_the_base_directory_and_file_urls_open_too()
    {
        using var temp = new TempDirectory();
        var provider = new FileSystemBlobStoreProvider();

        var relative = provider.Open(new BlobStoreLocation("local", "../storage") { BaseDirectory = temp.Combine(".dvc") });
        var fileUrl = provider.Open(new BlobStoreLocation("url", new Uri(temp.Combine("other")).AbsoluteUri));

        Assert.Equal(temp.Combine("storage"), Assert.IsType<FileSystemBlobStore>(relative).RootPath);
        Assert.Equal(temp.Combine("other"), Assert.IsType<FileSystemBlobStore>(fileUrl).RootPath);
        Assert.Equal("local", relative.Name);
        Assert.False(provider.CanOpen(new BlobStoreLocation("s3", "s3://bucket/prefix")));
    }

    [Theory]
    [InlineData("azure://container/team/dvc/", "azure", "container", "team/dvc")]
    [InlineData("s3://bucket", "s3", "bucket", "")]
    [InlineData("/mnt/remote", "", "", "/mnt/remote")]
    public void A_location_splits_its_url_into_scheme_host_and_prefix(string url, string scheme, string host, string path)
    {
        var location = new BlobStoreLocation("r", url);

        Assert.Equal((scheme, host, path), (location.Scheme, location.Host, location.Path));
    }

    [Fact]
    public void A_location_prints_neither_its_settings_nor_user_information()
    {
        var location = new BlobStoreLocation("r", "https://user:hunter2@example.com/dvc") { Settings = new Dictionary<string, string> { ["account_key"] = "s3cr3t", ["blank"] = " " } };

        Assert.Equal("'r' (https://***@example.com/dvc)", location.ToString());
        Assert.Equal("s3cr3t", location.GetSetting("account_key"));
        Assert.Null(location.GetSetting("blank"));
    }
}
