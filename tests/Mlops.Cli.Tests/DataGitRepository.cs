using System.Diagnostics;

namespace Mlops.Cli.Tests;

/// <summary>A real Git repository in a fresh temp folder, driven by the git command line; deleted (read-only files included) on dispose.</summary>
internal sealed class DataGitRepository : IDisposable
{
    public DataGitRepository()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlops-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "tests@example.invalid");
        Git("config", "user.name", "Tests");
        Git("config", "commit.gpgsign", "false");
    }

    public string Path { get; }

    public string Full(string relative) => System.IO.Path.Combine([Path, .. relative.Split('/')]);

    /// <summary>Writes a file and dates it a minute back, as data that has sat on disk for a while (so a rewrite is seen as a change).</summary>
    public string Write(string relative, string content)
    {
        var full = Full(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        if (File.Exists(full))
        {
            File.SetAttributes(full, FileAttributes.Normal);
            File.Delete(full);
        }

        File.WriteAllText(full, content);
        File.SetLastWriteTimeUtc(full, DateTime.UtcNow.AddMinutes(-1));
        return full;
    }

    public string Read(string relative) => File.ReadAllText(Full(relative));

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

    /// <summary>Runs <c>mlops VERB -C PATH ARGS…</c> in process with captured output.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync([.. args, "-C", Path]);

    public void Dispose()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(Path, recursive: true);
    }
}
