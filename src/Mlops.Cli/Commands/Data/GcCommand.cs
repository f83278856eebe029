using System.CommandLine;
using System.Globalization;
using Mlops.DataVersioning;

namespace Mlops.Cli.Commands.Data;

/// <summary>
/// <c>mlops gc -w|--rev REV|-a|-T|-A [-c] [-r NAME] [--dry] [-f]</c>: removes unused objects from the cache (and the remote), as
/// <c>dvc gc</c>. It asks first unless <c>-f</c>; with no terminal to ask on, it refuses (exit 2) and says to use <c>-f</c>.
/// </summary>
internal static class GcCommand
{
    /// <summary>The revision scopes shared by gc, fetch, push and pull: all branches, all tags, all commits.</summary>
    public static (Option<bool> AllBranches, Option<bool> AllTags, Option<bool> AllCommits) ScopeOptions(string what) =>
        (new Option<bool>("--all-branches", "-a") { Description = $"Also {what} the objects used at the tip of every local branch." },
         new Option<bool>("--all-tags", "-T") { Description = $"Also {what} the objects used at every tag." },
         new Option<bool>("--all-commits", "-A") { Description = $"Also {what} the objects used by every commit." });

    public static Command Create(CliContext context)
    {
        var workspace = new Option<bool>("--workspace", "-w") { Description = "Keep the objects the workspace's pointers use (always kept)." };
        var revisions = new Option<string[]>("--rev") { Description = "Also keep the objects used at this Git revision (repeatable).", HelpName = "REV" };
        var (allBranches, allTags, allCommits) = ScopeOptions("keep");
        var cloud = new Option<bool>("--cloud", "-c") { Description = "Also remove the unused objects from the remote." };
        var remote = new Option<string?>("--remote", "-r") { Description = "The remote for --cloud; the default remote when not given.", HelpName = "NAME" };
        var dry = new Option<bool>("--dry") { Description = "List what would be removed; remove nothing." };
        var force = new Option<bool>("--force", "-f") { Description = "Do not ask for confirmation." };
        var command = DataCommands.Verb(context, "gc", "Remove the objects no selected pointer uses from the cache (and, with -c, from the remote).", [workspace, revisions, allBranches, allTags, allCommits, cloud, remote, dry, force], async (run, ct) =>
        {
            var repository = run.Open();
            var options = new GcOptions
            {
                Workspace = run.Get(workspace),
                Revisions = run.Get(revisions) ?? [],
                AllBranches = run.Get(allBranches),
                AllTags = run.Get(allTags),
                AllCommits = run.Get(allCommits),
                Cloud = run.Get(cloud),
                Remote = run.Get(remote),
                DryRun = run.Get(dry),
            };
            if (!options.DryRun && !run.Get(force) && !Confirm(run, options))
            {
                return System.Console.IsInputRedirected ? ExitCodes.Usage : ExitCodes.Failure;
            }

            var result = await DataProgressDisplay.RunAsync(run.Console, progress => repository.GcAsync(options, progress, ct)).ConfigureAwait(false);
            var remoteName = options.Remote ?? repository.Config.DefaultRemote;
            if (options.DryRun)
            {
                foreach (var oid in result.Removed)
                {
                    run.Out.WriteLine($"would remove\t{oid}");
                }

                foreach (var oid in result.RemovedFromRemote)
                {
                    run.Out.WriteLine($"would remove from '{remoteName}'\t{oid}");
                }
            }

            var verb = options.DryRun ? "Would remove" : "Removed";
            run.Out.WriteLine(result.Removed.Count == 0
                ? "No unused cache to remove."
                : $"{verb} {DataInvocation.Count(result.Removed.Count, "object")} ({Size(result.RemovedBytes)}) from the cache.");
            if (options.Cloud)
            {
                run.Out.WriteLine(result.RemovedFromRemote.Count == 0
                    ? $"No unused objects to remove from remote '{remoteName}'."
                    : $"{verb} {DataInvocation.Count(result.RemovedFromRemote.Count, "object")} ({Size(result.RemovedFromRemoteBytes)}) from remote '{remoteName}'.");
            }

            return ExitCodes.Success;
        });
        command.Validators.Add(result =>
        {
            if (!result.GetValue(workspace) && (result.GetValue(revisions) ?? []).Length == 0 && !result.GetValue(allBranches) && !result.GetValue(allTags) && !result.GetValue(allCommits))
            {
                result.AddError("gc needs to know what to keep: use -w (the workspace), and --rev REV (a revision), -a (all branches), -T (all tags) or -A (all commits) to keep more.");
            }
        });
        return command;
    }

    private static bool Confirm(DataInvocation run, GcOptions options)
    {
        var kept = new List<string> { "the workspace" };
        kept.AddRange(options.Revisions.Select(r => $"'{r}'"));
        kept.AddRange(new[] { (options.AllBranches, "all branches"), (options.AllTags, "all tags"), (options.AllCommits, "all commits") }.Where(s => s.Item1).Select(s => s.Item2));
        var where = options.Cloud ? "the cache and the remote" : "the cache";
        if (System.Console.IsInputRedirected)
        {
            run.Console.WriteError($"gc removes every object of {where} not used by {string.Join(", ", kept)}, and there is no terminal to confirm on: use -f to go ahead (or --dry to see what would go).");
            return false;
        }

        run.Out.Write($"This removes every object of {where} not used by {string.Join(", ", kept)}. Are you sure you want to proceed? [y/n] ");
        run.Out.Flush();
        var answer = System.Console.ReadLine()?.Trim();
        if (answer is "y" or "Y" or "yes")
        {
            return true;
        }

        run.Console.WriteError("Nothing was removed.");
        return false;
    }

    private static string Size(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
