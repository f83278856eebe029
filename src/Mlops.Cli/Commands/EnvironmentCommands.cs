using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Core;
using Spectre.Console;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops env</c>: the environment snapshot a tracking run would record.</summary>
internal sealed class EnvironmentCommands : ICommandModule
{
    public void ConfigureServices(IServiceCollection services) => services.AddMlopsCore();

    public IEnumerable<Command> CreateCommands(CliContext context)
    {
        var json = new Option<bool>("--json")
        {
            Description = "Write the snapshot as JSON (the format runs record) instead of tables.",
        };
        var env = new Command("env", "Show the environment a run would record: runtime and OS, Git state, packages, environment variables.")
        {
            json,
        };
        env.SetAction(parseResult =>
        {
            var snapshot = context.Services.GetRequiredService<EnvironmentSnapshotProvider>().Capture();
            if (parseResult.GetValue(json))
            {
                context.Console.Output.WriteLine(snapshot.ToJson());
            }
            else
            {
                Write(context.Console.CreateOutputConsole(), snapshot);
            }

            return ExitCodes.Success;
        });
        yield return env;
    }

    internal static void Write(IAnsiConsole console, EnvironmentSnapshot snapshot)
    {
        var runtime = Section("Runtime and OS", "Property", "Value");
        AddRow(runtime, "Captured at", snapshot.CapturedAt.ToString("u", CultureInfo.InvariantCulture));
        AddRow(runtime, "Operating system", snapshot.OperatingSystem);
        AddRow(runtime, "Platform", snapshot.Platform);
        AddRow(runtime, "Runtime", snapshot.Runtime);
        AddRow(runtime, "Runtime identifier", snapshot.RuntimeIdentifier);
        AddRow(runtime, "Architecture", snapshot.Architecture);
        AddRow(runtime, "Processors", snapshot.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        AddRow(runtime, "Machine", snapshot.MachineName);
        AddRow(runtime, "Entry assembly", snapshot.EntryAssembly ?? "(none)");
        console.Write(runtime);

        var git = Section("Git", "Property", "Value");
        if (snapshot.Git is { } head)
        {
            AddRow(git, "Commit", head.Commit);
            AddRow(git, "Branch", head.Branch ?? "(detached HEAD)");
            AddRow(git, "Uncommitted changes", head.IsDirty ? "yes" : "no");
            AddRow(git, "Remote", head.RemoteUrl ?? "(none)");
        }
        else
        {
            AddRow(git, "Repository", "(not in a Git repository with commits)");
        }

        console.Write(git);
        console.Write(Listing("Packages", "Package", "Version", snapshot.Packages, "(no .deps.json found for the entry assembly)"));
        console.Write(Listing("Environment variables", "Name", "Value", snapshot.EnvironmentVariables, "(none of the recorded variables is set)"));
    }

    private static Table Listing(string title, string keyHeader, string valueHeader, IReadOnlyDictionary<string, string> values, string whenEmpty)
    {
        var table = Section(title, keyHeader, valueHeader);
        foreach (var (key, value) in values)
        {
            AddRow(table, key, value);
        }

        if (values.Count == 0)
        {
            AddRow(table, whenEmpty, string.Empty);
        }

        return table;
    }

    private static Table Section(string title, string keyHeader, string valueHeader) =>
        new Table()
            .Title(title, new Style(decoration: Decoration.Bold))
            .AddColumn(new TableColumn(new Text(keyHeader, new Style(Color.Blue))).NoWrap())
            .AddColumn(new TableColumn(new Text(valueHeader, new Style(Color.Blue))));

    // Text, not markup: values such as "[main]" or URLs with brackets print as they are.
    private static void AddRow(Table table, string key, string value) => table.AddRow(new Text(key), new Text(value));
}
