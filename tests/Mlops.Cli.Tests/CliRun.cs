using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Cli.Tests;

/// <summary>The outcome of one in-process run of the CLI.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await MlopsCli.RunAsync(args, stdout, stderr);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static async Task<CliRun> RunAsync(Action<IServiceCollection> configureServices, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await MlopsCli.RunAsync(args, new CliConsole(stdout, stderr), configureServices);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
