using System.Security.Cryptography;

namespace Mlops.DataVersioning.Tests;

/// <summary>A Git repository in a temp folder with a data repository initialised in it.</summary>
public sealed class DataRepoFixture : IDisposable
{
    private DataRepoFixture(GitFixture git, DataRepository repository)
    {
        Git = git;
        Repository = repository;
    }

    public GitFixture Git { get; }

    public DataRepository Repository { get; private set; }

    public string Path => Git.Path;

    public static async Task<DataRepoFixture> CreateAsync(string? cacheType = null)
    {
        var git = new GitFixture();
        await DataRepository.InitAsync(git.Path);
        if (cacheType is not null)
        {
            File.WriteAllText(System.IO.Path.Combine(git.Path, ".dvc", "config"), $"[cache]\n    type = {cacheType}\n");
        }

        return new DataRepoFixture(git, DataRepository.Open(git.Path));
    }

    /// <summary>Opens the repository again, as another process would (fresh state, config re-read).</summary>
    public DataRepository Reopen(DataRepositoryOptions? options = null) => Repository = DataRepository.Open(Path, options);

    public string Full(string relative) => System.IO.Path.Combine([Path, .. relative.Split('/')]);

    /// <summary>Writes a file and dates it a minute back, as data that has sat on disk for a while.</summary>
    public string Write(string relative, string content)
    {
        var full = Git.WriteFile(relative, content);
        File.SetLastWriteTimeUtc(full, DateTime.UtcNow.AddMinutes(-1));
        return full;
    }

    public string Read(string relative) => File.ReadAllText(Full(relative));

    public string CacheObject(string oid) => System.IO.Path.Combine(Path, ".dvc", "cache", "files", "md5", oid[..2], oid[2..]);

    public static string Md5(string content) => Convert.ToHexStringLower(MD5.HashData(System.Text.Encoding.UTF8.GetBytes(content)));

    public void Dispose() => Git.Dispose();
}
