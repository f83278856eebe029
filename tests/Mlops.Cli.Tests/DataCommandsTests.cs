using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mlops.Cli.Tests;

public sealed class DataCommandsTests : IDisposable
{
    private readonly DataGitRepository _repo = new();
    private readonly string _remote = Path.Combine(Path.GetTempPath(), "mlops-cli-remote-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _repo.Dispose();
        DeleteFolder(_remote);
    }

    [Fact]
    public async Task A_dvc_users_day_init_add_status_commit_checkout_push_pull_cat_and_diff()
    {
        Success(await _repo.RunAsync("init"), "Initialized");
        Assert.True(File.Exists(_repo.Full(".dvc/config")));

        _repo.Write("data/raw.csv", "a,b\n1,2\n");
        _repo.Write("images/cat.png", "cat v1");
        _repo.Write("images/dog.png", "dog v1");
        var add = Success(await _repo.RunAsync("add", "data/raw.csv", "images"), "3 files added");
        Assert.Contains("git add data/raw.csv.dvc data/.gitignore images.dvc .gitignore", add.Stdout, StringComparison.Ordinal);
        Assert.Equal("3 files added", LastLine(add.Stdout));
        Assert.DoesNotContain('\u001b', add.Stdout);
        Assert.Equal("Everything is up to date.", LastLine(Success(await _repo.RunAsync("status")).Stdout));
        _repo.Commit("v1");
        _repo.Git("tag", "v1");

        _repo.Write("data/raw.csv", "a,b\n1,2\n3,4\n");
        var status = Success(await _repo.RunAsync("status", "--json"));
        using (var json = JsonDocument.Parse(status.Stdout))
        {
            var outs = json.RootElement.GetProperty("data/raw.csv.dvc")[0].GetProperty("changed outs");
            Assert.Equal("modified", outs.GetProperty("data/raw.csv").GetString());
            Assert.False(json.RootElement.TryGetProperty("images.dvc", out _));
        }

        Assert.Contains("1 output changed", Success(await _repo.RunAsync("status")).Stdout, StringComparison.Ordinal);
        Assert.Equal("1 output committed", LastLine(Success(await _repo.RunAsync("commit")).Stdout));
        Assert.Equal("Everything is up to date.", LastLine(Success(await _repo.RunAsync("status")).Stdout));
        _repo.Commit("v2");
        _repo.Git("tag", "v2");

        // checkout restores a deleted file from the cache.
        File.SetAttributes(_repo.Full("images/cat.png"), FileAttributes.Normal);
        File.Delete(_repo.Full("images/cat.png"));
        var checkout = Success(await _repo.RunAsync("checkout"), "1 file added");
        Assert.Contains("A       images/cat.png", checkout.Stdout, StringComparison.Ordinal);
        Assert.Equal("cat v1", _repo.Read("images/cat.png"));

        // A versioned read: the bytes at v1 while the workspace holds v2, the workspace untouched.
        Assert.Equal("a,b\n1,2\n", Success(await _repo.RunAsync("cat", "data/raw.csv", "--rev", "v1")).Stdout);
        Assert.Equal("a,b\n1,2\n3,4\n", Success(await _repo.RunAsync("cat", "data/raw.csv")).Stdout);
        Assert.Equal("dog v1", Success(await _repo.RunAsync("cat", "images/dog.png", "--rev", "v1")).Stdout);
        Assert.Equal("a,b\n1,2\n3,4\n", _repo.Read("data/raw.csv"));

        var diff = Success(await _repo.RunAsync("diff", "v1", "v2", "--json"));
        using (var json = JsonDocument.Parse(diff.Stdout))
        {
            Assert.Equal(["data/raw.csv"], json.RootElement.GetProperty("modified").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
            Assert.Empty(json.RootElement.GetProperty("added").EnumerateArray());
            Assert.Empty(json.RootElement.GetProperty("deleted").EnumerateArray());
        }

        var text = Success(await _repo.RunAsync("diff", "v1", "v2"));
        Assert.Contains("Modified:\n    data/raw.csv", text.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("files summary: 0 added, 0 deleted, 0 renamed, 1 modified", LastLine(text.Stdout));
        Assert.Contains("| modified | data/raw.csv |", Success(await _repo.RunAsync("diff", "v1", "v2", "--md")).Stdout, StringComparison.Ordinal);

        // A remote: push, lose the cache and the file, pull them back.
        Success(await _repo.RunAsync("remote", "add", "-d", "origin", _remote), "Setting 'origin' as a default remote.");
        Assert.Equal($"origin\t{_remote}\t(default)", LastLine(Success(await _repo.RunAsync("remote", "list")).Stdout));
        Assert.Contains("new:", Success(await _repo.RunAsync("status", "-c")).Stdout, StringComparison.Ordinal);
        var push = Success(await _repo.RunAsync("push", "-j", "2"));
        Assert.Matches(@"^\d+ files pushed$", LastLine(push.Stdout));
        Assert.Equal("Everything is up to date.", LastLine(Success(await _repo.RunAsync("push")).Stdout));
        Assert.Contains("are in sync", Success(await _repo.RunAsync("status", "-c")).Stdout, StringComparison.Ordinal);

        var url = LastLine(Success(await _repo.RunAsync("get-url", "data/raw.csv")).Stdout);
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("a,b\n1,2\n3,4\n")));
        Assert.Equal(Path.Combine(_remote, "files", "md5", md5[..2], md5[2..]), url);

        DeleteFolder(_repo.Full(".dvc/cache"));
        File.SetAttributes(_repo.Full("data/raw.csv"), FileAttributes.Normal);
        File.Delete(_repo.Full("data/raw.csv"));
        var pull = Success(await _repo.RunAsync("pull"));
        Assert.Contains("A       data/raw.csv", pull.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"^\d+ files fetched, 1 file added$", LastLine(pull.Stdout));
        Assert.Equal("a,b\n1,2\n3,4\n", _repo.Read("data/raw.csv"));
        Assert.Equal("Everything is up to date.", LastLine(Success(await _repo.RunAsync("status")).Stdout));
    }

    [Theory]
    [InlineData("status", "--no-such-option")]
    [InlineData("add")]
    [InlineData("diff", "--json", "--md")]
    [InlineData("push", "-j", "0")]
    [InlineData("push", "-j", "many")]
    [InlineData("remote", "modify", "origin", "url")]
    [InlineData("remote", "modify", "--unset", "origin", "url", "value")]
    [InlineData("remote", "add", "origin")]
    public async Task Bad_usage_exits_2_with_the_problem_on_stderr(params string[] args)
    {
        var run = await _repo.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("mlops --help", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_cd_folder_is_bad_usage()
    {
        var run = await CliRun.RunAsync("status", "-C", Path.Combine(_repo.Path, "no-such-folder"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-folder", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkout_over_data_the_cache_lacks_fails_naming_the_file_until_forced()
    {
        Success(await _repo.RunAsync("init"));
        _repo.Write("data/raw.csv", "recorded");
        Success(await _repo.RunAsync("add", "data/raw.csv"));
        _repo.Write("data/raw.csv", "precious edit");

        var refused = await _repo.RunAsync("checkout");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("data/raw.csv", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Mlops.", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("precious edit", _repo.Read("data/raw.csv"));

        var forced = Success(await _repo.RunAsync("checkout", "--force", "data/raw.csv"));
        Assert.Contains("M       data/raw.csv", forced.Stdout, StringComparison.Ordinal);
        Assert.Equal("recorded", _repo.Read("data/raw.csv"));
    }

    [Fact]
    public async Task Verbs_outside_a_data_repository_fail_with_what_to_do()
    {
        var run = await _repo.RunAsync("status");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("mlops init", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task Init_outside_a_git_root_says_to_use_no_scm_and_no_scm_works()
    {
        var sub = Directory.CreateDirectory(_repo.Full("sub")).FullName;

        var refused = await CliRun.RunAsync("init", "-C", sub);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--no-scm", refused.Stderr, StringComparison.Ordinal);

        var run = await CliRun.RunAsync("init", "--no-scm", "-C", sub);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("no_scm = True", File.ReadAllText(Path.Combine(sub, ".dvc", "config")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paths_are_relative_to_the_folder_the_verb_runs_in()
    {
        Success(await _repo.RunAsync("init"));
        _repo.Write("data/raw.csv", "x");

        var add = await CliRun.RunAsync("add", "raw.csv", "-C", _repo.Full("data"));

        Assert.Equal(0, add.ExitCode);
        Assert.True(File.Exists(_repo.Full("data/raw.csv.dvc")));
        Assert.Contains("git add raw.csv.dvc .gitignore", add.Stdout, StringComparison.Ordinal);
        Assert.Equal("x", Success(await CliRun.RunAsync("cat", "raw.csv", "-C", _repo.Full("data"))).Stdout);
    }

    [Fact]
    public async Task Remote_credentials_go_to_config_local_and_are_never_printed()
    {
        Success(await _repo.RunAsync("init"));
        Success(await _repo.RunAsync("remote", "add", "-d", "store", "s3://user:hunter2@bucket/prefix"));
        var modify = Success(await _repo.RunAsync("remote", "modify", "--local", "store", "secret_access_key", "s3cr3t-value"));

        Assert.DoesNotContain("s3cr3t-value", modify.Stdout, StringComparison.Ordinal);
        Assert.Contains("s3cr3t-value", File.ReadAllText(_repo.Full(".dvc/config.local")), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", File.ReadAllText(_repo.Full(".dvc/config")), StringComparison.Ordinal);

        var list = Success(await _repo.RunAsync("remote", "list"));
        Assert.Equal("store\ts3://***@bucket/prefix\t(default)", LastLine(list.Stdout));
        var json = Success(await _repo.RunAsync("remote", "list", "--json"));
        Assert.DoesNotContain("hunter2", json.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", json.Stdout, StringComparison.Ordinal);

        Success(await _repo.RunAsync("remote", "modify", "--local", "--unset", "store", "secret_access_key"));
        Assert.DoesNotContain("secret_access_key", File.ReadAllText(_repo.Full(".dvc/config.local")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_add_twice_fails_until_forced_and_remove_clears_the_default()
    {
        Success(await _repo.RunAsync("init"));
        Success(await _repo.RunAsync("remote", "add", "-d", "origin", "../remote"));
        Assert.Contains("url = ../../remote", File.ReadAllText(_repo.Full(".dvc/config")), StringComparison.Ordinal);

        var again = await _repo.RunAsync("remote", "add", "origin", "/elsewhere");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("-f", again.Stderr, StringComparison.Ordinal);
        Success(await _repo.RunAsync("remote", "add", "-f", "origin", "/elsewhere"));
        Assert.Equal("origin\t/elsewhere\t(default)", LastLine(Success(await _repo.RunAsync("remote", "list")).Stdout));

        Success(await _repo.RunAsync("remote", "remove", "origin"), "Remote 'origin' removed.");
        Assert.Equal(string.Empty, Success(await _repo.RunAsync("remote", "list")).Stdout);
        Assert.DoesNotContain("remote", File.ReadAllText(_repo.Full(".dvc/config")), StringComparison.Ordinal);
        Assert.Equal(1, (await _repo.RunAsync("remote", "remove", "origin")).ExitCode);
        Assert.Equal(1, (await _repo.RunAsync("remote", "modify", "origin", "url", "/x")).ExitCode);
    }

    [Fact]
    public async Task Push_without_a_remote_fails_with_how_to_add_one()
    {
        Success(await _repo.RunAsync("init"));
        _repo.Write("data.csv", "x");
        Success(await _repo.RunAsync("add", "data.csv"));

        var run = await _repo.RunAsync("push");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("remote add -d", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_add_shows_progress_and_still_ends_with_the_summary()
    {
        Success(await _repo.RunAsync("init"));
        _repo.Write("images/a.png", "a");
        _repo.Write("images/b.png", "b");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, outputIsTerminal: true, errorIsTerminal: true, getEnvironmentVariable: _ => null);

        var exitCode = await MlopsCli.RunAsync(["add", "images", "-C", _repo.Path], console);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Contains("2 files added", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_in_a_real_process_writes_the_exact_bytes_and_failures_carry_no_stack_trace()
    {
        Success(await _repo.RunAsync("init"));
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Encoding.UTF8.GetBytes("\r\nnot text")).ToArray();
        File.WriteAllBytes(_repo.Full("model.bin"), bytes);
        Success(await _repo.RunAsync("add", "model.bin"));

        var (exitCode, stdout, stderr) = await RunToolAsync("cat", "model.bin", "-C", _repo.Path);

        Assert.True(exitCode == 0, Encoding.UTF8.GetString(stderr));
        Assert.Equal(bytes, stdout);

        var (failedCode, failedStdout, failedStderr) = await RunToolAsync("cat", "missing.bin", "-C", _repo.Path);
        var error = Encoding.UTF8.GetString(failedStderr);
        Assert.Equal(1, failedCode);
        Assert.Empty(failedStdout);
        Assert.Contains("missing.bin", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, byte[] Stdout, byte[] Stderr)> RunToolAsync(params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "mlops.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var copies = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(stdout), process.StandardError.BaseStream.CopyToAsync(stderr));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await copies;
        return (process.ExitCode, stdout.ToArray(), stderr.ToArray());
    }

    private static CliRun Success(CliRun run, string? expected = null)
    {
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; stderr: {run.Stderr}; stdout: {run.Stdout}");
        Assert.Equal(string.Empty, run.Stderr);
        if (expected is not null)
        {
            Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
        }

        return run;
    }

    private static string LastLine(string text) =>
        text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')[^1];

    private static void DeleteFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(path, recursive: true);
    }
}
