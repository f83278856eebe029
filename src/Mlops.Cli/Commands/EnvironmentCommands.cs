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
        var runtime = Section("Property", "Value");
        AddRow(runtime, "Captured at", snapshot.CapturedAt.ToString("u", CultureInfo.InvariantCulture));
        AddRow(runtime, "Operating system", snapshot.OperatingSystem);
        AddRow(runtime, "Platform", snapshot.Platform);
        AddRow(runtime, "Runtime", snapshot.Runtime);
        AddRow(runtime, "Runtime identifier", snapshot.RuntimeIdentifier);
        AddRow(runtime, "Architecture", snapshot.Architecture);
        AddRow(runtime, "Processors", snapshot.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        AddRow(runtime, "Machine", snapshot.MachineName);
        AddRow(runtime, "Entry assembly", snapshot.EntryAssembly ?? "(none)");
        Write(console, "Runtime and OS", runtime);

        var git = Section("Property", "Value");
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

        Write(console, "Git", git);
        Write(console, "Packages", Listing("Package", "Version", snapshot.Packages, "(no .deps.json found for the entry assembly)"));
        Write(console, "Environment variables", Listing("Name", "Value", snapshot.EnvironmentVariables, "(none of the recorded variables is set)"));
    }

    // The title goes above the table, not in it: a table title is wrapped to the table's width,
    // which splits "Environment variables" over two lines above a narrow table.
    private static void Write(IAnsiConsole console, string title, Table table)
    {
        console.Write(new Text(title + Environment.NewLine, new Style(decoration: Decoration.Bold)));
        console.Write(table);
    }

    private static Table Listing(string keyHeader, string valueHeader, IReadOnlyDictionary<string, string> values, string whenEmpty)
    {
        var table = Section(keyHeader, valueHeader);
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

    private static Table Section(string keyHeader, string valueHeader) =>
        new Table()
            .AddColumn(new TableColumn(new Text(keyHeader, new Style(Color.Blue))).NoWrap())
            .AddColumn(new TableColumn(new Text(valueHeader, new Style(Color.Blue))));

    // Text, not markup: values such as "[main]" or URLs with brackets print as they are.
    private static void AddRow(Table table, string key, string value) => table.AddRow(new Text(key), new Text(value));
}
