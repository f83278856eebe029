using System.Diagnostics;

namespace Mlops.Conformance;

/// <summary>A real Git repository in a temp folder, driven by the git command line.</summary>
public sealed class GitFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public GitFixture(bool init = true)
    {
        if (init)
        {
            Git("init", "-q", "-b", "main");
            Git("config", "user.email", "tests@example.invalid");
            Git("config", "user.name", "Tests");
            Git("config", "commit.gpgsign", "false");
        }
    }

    public string Path => _temp.Path;

    public string WriteFile(string relativePath, string content) => _temp.WriteFile(relativePath, content);

    public string Commit(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }

    public void Dispose() => _temp.Dispose();
}
