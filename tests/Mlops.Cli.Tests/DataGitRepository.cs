using Mlops.Conformance;

namespace Mlops.Cli.Tests;

/// <summary>A real Git repository in a fresh temp folder (the shared <see cref="GitFixture"/>), with the helpers the data verbs' tests use.</summary>
internal sealed class DataGitRepository : IDisposable
{
    private readonly GitFixture _git = new();

    public string Path => _git.Path;

    public string Full(string relative) => System.IO.Path.Combine([Path, .. relative.Split('/')]);

    /// <summary>Writes a file and dates it a minute back, as data that has sat on disk for a while (so a rewrite is seen as a change).</summary>
    public string Write(string relative, string content)
    {
        var full = Full(relative);
        if (File.Exists(full))
        {
            File.SetAttributes(full, FileAttributes.Normal);
            File.Delete(full);
        }

        _git.WriteFile(relative, content);
        File.SetLastWriteTimeUtc(full, DateTime.UtcNow.AddMinutes(-1));
        return full;
    }

    public string Read(string relative) => File.ReadAllText(Full(relative));

    public string Commit(string message) => _git.Commit(message);

    public string Git(params string[] args) => _git.Git(args);

    /// <summary>Runs <c>mlops VERB -C PATH ARGS…</c> in process with captured output.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync([.. args, "-C", Path]);

    public void Dispose() => _git.Dispose();
}
