namespace Mlops.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) => MlopsCli.RunAsync(args, CliConsole.FromSystemConsole());
}
