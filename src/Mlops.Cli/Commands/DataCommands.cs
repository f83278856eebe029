using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Cli.Commands.Data;
using Mlops.DataVersioning;

namespace Mlops.Cli.Commands;

/// <summary>
/// The data versioning verbs, named and behaving as DVC's: <c>init</c>, <c>add</c>, <c>status</c>, <c>commit</c>,
/// <c>checkout</c>, <c>fetch</c>, <c>push</c>, <c>pull</c>, <c>gc</c>, <c>diff</c>, <c>remote</c>, <c>cat</c>, <c>get-url</c>.
/// </summary>
/// <remarks>
/// The repository is the one at or above the current directory, or <c>-C DIR</c>; paths on the command line are
/// relative to that folder. Verbs open the repository themselves (no repository path is known when services are built).
/// </remarks>
internal sealed class DataCommands : ICommandModule
{
    // Remotes in .dvc/config open through these providers: azure:// and s3:// besides local folders.
    public void ConfigureServices(IServiceCollection services) =>
        services.AddMlopsCore().AddAzureBlobStoreProvider().AddS3BlobStoreProvider();

    public IEnumerable<Command> CreateCommands(CliContext context)
    {
        yield return Init(context);
        yield return Add(context);
        yield return Status(context);
        yield return Commit(context);
        yield return Checkout(context);
        yield return Transfer(context, "fetch", "Download the objects the pointers use from a remote into the cache.");
        yield return Transfer(context, "push", "Upload the objects the pointers use from the cache to a remote.");
        yield return Transfer(context, "pull", "Fetch the objects the pointers use from a remote, then check them out.");
        yield return GcCommand.Create(context);
        yield return Diff(context);
        yield return RemoteCommands.Create(context);
        yield return Cat(context);
        yield return GetUrl(context);
    }

    /// <summary>A data verb: adds <c>-C DIR</c>, resolves the folder it runs in, and maps I/O failures to exit code 1.</summary>
    internal static Command Verb(CliContext context, string name, string description, Symbol[] symbols, Func<DataInvocation, CancellationToken, Task<int>> run)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    RejectOptionLikeValues(argument);
                    command.Arguments.Add(argument);
                    break;
            }
        }

        var cd = new Option<string?>("--cd", "-C")
        {
            Description = "Run as if started in DIR (like git -C): the repository is found from there and paths are relative to it.",
            HelpName = "DIR",
        };
        cd.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } dir && !Directory.Exists(Path.GetFullPath(dir)))
            {
                result.AddError($"Cannot run in '{dir}': no such folder.");
            }
        });
        command.Options.Add(cd);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var dir = parseResult.GetValue(cd);
            var baseDirectory = Path.TrimEndingDirectorySeparator(dir is null ? Environment.CurrentDirectory : Path.GetFullPath(dir));
            try
            {
                return await run(new DataInvocation(context, parseResult, baseDirectory), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                context.Console.WriteError(ex.Message);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    // System.CommandLine hands an unknown "--option" to an argument that takes values; DVC (argparse) rejects it.
    // A file whose name starts with '-' is still reachable as ./-name.
    private static void RejectOptionLikeValues(Argument argument) =>
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    result.AddError($"Unrecognized command or argument '{token.Value}'.");
                }
            }
        });

    internal static Argument<string[]> TargetsArgument(string description, ArgumentArity arity) =>
        new("targets") { Description = description, Arity = arity };

    private static Command Init(CliContext context)
    {
        var noScm = new Option<bool>("--no-scm") { Description = "Initialise without Git (core.no_scm): no .gitignore lines, no Git checks." };
        var force = new Option<bool>("--force", "-f") { Description = "Initialise again over an existing .dvc folder, keeping its cache." };
        return Verb(context, "init", "Initialise a data repository (.dvc/config, .dvc/.gitignore, .dvcignore) in the root of a Git repository.", [noScm, force], async (run, ct) =>
        {
            var repository = await DataRepository.InitAsync(run.BaseDirectory, new DataRepositoryInitOptions { NoScm = run.Get(noScm), Force = run.Get(force) }, ct).ConfigureAwait(false);
            if (repository.UsesGit)
            {
                run.Out.WriteLine("You can now commit the changes to git: git add .dvc .dvcignore");
            }

            run.Out.WriteLine($"Initialized data repository in '{repository.Root}'.");
            return ExitCodes.Success;
        });
    }

    private static Command Add(CliContext context)
    {
        var targets = TargetsArgument("Files or directories to track.", ArgumentArity.OneOrMore);
        return Verb(context, "add", "Track files or directories: hash them into the cache and write .dvc pointers and .gitignore lines.", [targets], async (run, ct) =>
        {
            var repository = run.Open();
            var added = await DataProgressDisplay.RunAsync(run.Console, async progress =>
            {
                var outputs = new List<TrackedOutput>();
                foreach (var target in run.Get(targets) ?? [])
                {
                    outputs.Add(await repository.AddAsync(run.Full(target), progress, ct).ConfigureAwait(false));
                }

                return outputs;
            }).ConfigureAwait(false);

            WriteGitHint(run, repository, added);
            run.Out.WriteLine($"{DataInvocation.Count(added.Sum(o => (long)(o.FileCount ?? 1)), "file")} added");
            return ExitCodes.Success;
        });
    }

    private static Command Status(CliContext context)
    {
        var cloud = new Option<bool>("--cloud", "-c") { Description = "Compare the cache with a remote instead of the workspace with the pointers." };
        var remote = new Option<string?>("--remote", "-r") { Description = "The remote to compare with (implies --cloud); the default remote otherwise.", HelpName = "NAME" };
        var json = new Option<bool>("--json") { Description = "Write the status as JSON, as 'dvc status --json' does." };
        var targets = TargetsArgument("Outputs or .dvc files to check; all when none.", ArgumentArity.ZeroOrMore);
        return Verb(context, "status", "Show tracked data that changed in the workspace, or (with -c) differs between the cache and a remote.", [cloud, remote, json, targets], async (run, ct) =>
        {
            var repository = run.Open();
            var selected = run.Targets(run.Get(targets));
            var remoteName = run.Get(remote);
            if (run.Get(cloud) || remoteName is not null)
            {
                var report = await repository.RemoteStatusAsync(remoteName, selected, ct).ConfigureAwait(false);
                var entries = report.New.Select(p => (Path: p, State: "new"))
                    .Concat(report.Deleted.Select(p => (Path: p, State: "deleted")))
                    .Concat(report.Missing.Select(p => (Path: p, State: "missing")))
                    .ToList();
                if (run.Get(json))
                {
                    var node = new JsonObject();
                    foreach (var (path, state) in entries)
                    {
                        node[run.Display(repository, path)] = state;
                    }

                    run.WriteJson(node);
                    return ExitCodes.Success;
                }

                foreach (var (path, state) in entries)
                {
                    run.Out.WriteLine($"\t{state + ":",-16}{run.Display(repository, path)}");
                }

                run.Out.WriteLine(report.IsInSync
                    ? $"Cache and remote '{report.Remote}' are in sync. Everything is up to date."
                    : $"{DataInvocation.Count(entries.Count, "object")} differ between the cache and remote '{report.Remote}'.");
                return ExitCodes.Success;
            }

            var status = await repository.StatusAsync(selected, ct).ConfigureAwait(false);
            if (run.Get(json))
            {
                var node = new JsonObject();
                foreach (var pointer in status.Changes.GroupBy(c => c.PointerPath, StringComparer.Ordinal))
                {
                    var outs = new JsonObject();
                    foreach (var change in pointer)
                    {
                        outs[run.Display(repository, change.Path)] = StateName(change.State);
                    }

                    node[run.Display(repository, pointer.Key)] = new JsonArray(new JsonObject { ["changed outs"] = outs });
                }

                run.WriteJson(node);
                return ExitCodes.Success;
            }

            foreach (var pointer in status.Changes.GroupBy(c => c.PointerPath, StringComparer.Ordinal))
            {
                run.Out.WriteLine($"{run.Display(repository, pointer.Key)}:");
                run.Out.WriteLine("\tchanged outs:");
                foreach (var change in pointer)
                {
                    run.Out.WriteLine($"\t\t{StateName(change.State) + ":",-20}{run.Display(repository, change.Path)}");
                }
            }

            run.Out.WriteLine(status.IsClean
                ? "Everything is up to date."
                : $"{DataInvocation.Count(status.Changes.Count, "output")} changed: 'mlops commit' records them, 'mlops checkout' restores the recorded versions.");
            return ExitCodes.Success;
        });
    }

    private static Command Commit(CliContext context)
    {
        var targets = TargetsArgument("Outputs or .dvc files to commit; every changed one when none.", ArgumentArity.ZeroOrMore);
        return Verb(context, "commit", "Record the workspace's current data of tracked outputs in their pointers and the cache.", [targets], async (run, ct) =>
        {
            var repository = run.Open();
            var committed = await DataProgressDisplay.RunAsync(run.Console, progress => repository.CommitAsync(run.Targets(run.Get(targets)), progress, ct)).ConfigureAwait(false);
            if (committed.Count == 0)
            {
                run.Out.WriteLine("Everything is up to date.");
                return ExitCodes.Success;
            }

            WriteGitHint(run, repository, committed);
            run.Out.WriteLine($"{DataInvocation.Count(committed.Count, "output")} committed");
            return ExitCodes.Success;
        });
    }

    private static Command Checkout(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite or delete workspace data even when the cache has no copy of it." };
        var targets = TargetsArgument("Outputs or .dvc files to check out; all when none.", ArgumentArity.ZeroOrMore);
        return Verb(context, "checkout", "Make the workspace match the pointers, from the cache.", [force, targets], async (run, ct) =>
        {
            var repository = run.Open();
            var options = new CheckoutOptions { Targets = run.Targets(run.Get(targets)) ?? [], Force = run.Get(force) };
            var result = await DataProgressDisplay.RunAsync(run.Console, progress => repository.CheckoutAsync(options, progress, ct)).ConfigureAwait(false);
            return WriteCheckout(run, repository, result, transferred: 0);
        });
    }

    private static Command Transfer(CliContext context, string verb, string description)
    {
        var remote = new Option<string?>("--remote", "-r") { Description = "The remote; the output's own, then the default remote, when not given.", HelpName = "NAME" };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "How many transfers run at once (default: 4 per processor).", HelpName = "N" };
        jobs.Validators.Add(result =>
        {
            // A value that is not a number is already a parse error; only a number below 1 is checked here.
            if (result.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var value) && value < 1)
            {
                result.AddError("--jobs must be at least 1.");
            }
        });
        var force = new Option<bool>("--force", "-f") { Description = "With pull: overwrite workspace data that is not in the cache." };
        var targets = TargetsArgument("Outputs or .dvc files to transfer; all when none.", ArgumentArity.ZeroOrMore);
        var (allBranches, allTags, allCommits) = GcCommand.ScopeOptions(verb == "push" ? "push" : "fetch");
        var rev = new Option<string[]>("--rev") { Description = $"Also {(verb == "push" ? "push" : "fetch")} the objects used at this Git revision (repeatable).", HelpName = "REV" };
        Symbol[] scopes = [allBranches, allTags, allCommits, rev];
        Symbol[] symbols = verb == "pull" ? [remote, jobs, force, .. scopes, targets] : [remote, jobs, .. scopes, targets];
        return Verb(context, verb, description, symbols, async (run, ct) =>
        {
            var repository = run.Open(run.Get(jobs));
            var options = new TransferOptions
            {
                Remote = run.Get(remote),
                Jobs = run.Get(jobs),
                Targets = run.Targets(run.Get(targets)) ?? [],
                Force = verb == "pull" && run.Get(force),
                AllBranches = run.Get(allBranches),
                AllTags = run.Get(allTags),
                AllCommits = run.Get(allCommits),
                Revisions = run.Get(rev) ?? [],
            };
            switch (verb)
            {
                case "pull":
                    var pulled = await DataProgressDisplay.RunAsync(run.Console, progress => repository.PullAsync(options, progress, ct)).ConfigureAwait(false);
                    return WriteCheckout(run, repository, pulled.Checkout, pulled.Transfer.Transferred);
                case "push":
                    var pushed = await DataProgressDisplay.RunAsync(run.Console, progress => repository.PushAsync(options, progress, ct)).ConfigureAwait(false);
                    run.Out.WriteLine(pushed.Transferred == 0 ? "Everything is up to date." : $"{DataInvocation.Count(pushed.Transferred, "file")} pushed");
                    return ExitCodes.Success;
                default:
                    var fetched = await DataProgressDisplay.RunAsync(run.Console, progress => repository.FetchAsync(options, progress, ct)).ConfigureAwait(false);
                    run.Out.WriteLine(fetched.Transferred == 0 ? "Everything is up to date." : $"{DataInvocation.Count(fetched.Transferred, "file")} fetched");
                    return ExitCodes.Success;
            }
        });
    }

    private static Command Diff(CliContext context)
    {
        var a = new Argument<string?>("a_rev") { Description = "The old Git revision (default HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var b = new Argument<string?>("b_rev") { Description = "The new Git revision (default: the workspace).", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Write the differences as JSON, as 'dvc diff --json' does." };
        var md = new Option<bool>("--md") { Description = "Write the differences as a Markdown table." };
        var showHash = new Option<bool>("--show-hash") { Description = "Show the hashes too." };
        var command = Verb(context, "diff", "Show tracked files and directories added, deleted, modified or renamed between two revisions, or a revision and the workspace.", [a, b, json, md, showHash], async (run, ct) =>
        {
            var repository = run.Open();
            var oldRevision = run.Get(a) ?? "HEAD";
            var newRevision = run.Get(b);
            var diff = await repository.DiffAsync(oldRevision, newRevision, ct).ConfigureAwait(false);
            var hashes = run.Get(showHash);
            if (run.Get(json))
            {
                run.WriteJson(DiffJson(diff, hashes));
            }
            else if (run.Get(md))
            {
                run.Out.WriteLine(hashes ? "| Status | Hash | Path |" : "| Status | Path |");
                run.Out.WriteLine(hashes ? "|--------|------|------|" : "|--------|------|");
                foreach (var (status, hash, path) in DiffRows(diff))
                {
                    run.Out.WriteLine(hashes ? $"| {status} | {hash} | {path} |" : $"| {status} | {path} |");
                }
            }
            else
            {
                WriteDiffSection(run, "Added", diff.Added.Select(e => Hashed(e.NewMd5, e.Path, hashes)));
                WriteDiffSection(run, "Deleted", diff.Deleted.Select(e => Hashed(e.OldMd5, e.Path, hashes)));
                WriteDiffSection(run, "Renamed", diff.Renamed.Select(e => Hashed(e.Md5, $"{e.OldPath} -> {e.NewPath}", hashes)));
                WriteDiffSection(run, "Modified", diff.Modified.Select(e => hashes ? $"{Short(e.OldMd5)}..{Short(e.NewMd5)}  {e.Path}" : e.Path));
            }

            if (!run.Get(json) && !run.Get(md))
            {
                run.Out.WriteLine(diff.IsEmpty
                    ? $"No changes between {oldRevision} and {newRevision ?? "the workspace"}."
                    : $"files summary: {diff.Added.Count} added, {diff.Deleted.Count} deleted, {diff.Renamed.Count} renamed, {diff.Modified.Count} modified");
            }

            return ExitCodes.Success;
        });
        command.Validators.Add(result =>
        {
            if (result.GetValue(json) && result.GetValue(md))
            {
                result.AddError("--json and --md cannot be used together: choose one format.");
            }
        });
        return command;
    }

    private static Command Cat(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "A tracked file, or a file inside a tracked directory." };
        var rev = new Option<string?>("--rev") { Description = "The Git revision (branch, tag, sha) to read the file at; the workspace's pointers when not given.", HelpName = "REV" };
        var remote = new Option<string?>("--remote") { Description = "The remote to read from when the cache lacks the object.", HelpName = "NAME" };
        return Verb(context, "cat", "Write a tracked file's bytes at a revision to standard output (like dvc.api.read), without touching the workspace.", [path, rev, remote], async (run, ct) =>
        {
            var repository = run.Open();
            var stream = await repository.OpenAsync(run.Full(run.Get(path)!), run.Get(rev), run.Get(remote), ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await run.WriteRawAsync(stream, ct).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
    }

    private static Command GetUrl(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "A tracked file, or a file inside a tracked directory." };
        var rev = new Option<string?>("--rev") { Description = "The Git revision to resolve the file at.", HelpName = "REV" };
        var remote = new Option<string?>("--remote", "-r") { Description = "The remote; the output's own, then the default remote, when not given.", HelpName = "NAME" };
        return Verb(context, "get-url", "Print where a tracked file's object lives on a remote.", [path, rev, remote], async (run, ct) =>
        {
            var repository = run.Open();
            var url = await repository.GetUrlAsync(run.Full(run.Get(path)!), run.Get(rev), run.Get(remote), ct).ConfigureAwait(false);
            run.Out.WriteLine(RemoteCommands.Redact(url));
            return ExitCodes.Success;
        });
    }

    private static int WriteCheckout(DataInvocation run, DataRepository repository, CheckoutResult result, int transferred)
    {
        // One write for the whole list: standard output flushes every line, a system call per file of a large pull.
        var lines = new StringBuilder();
        foreach (var (letter, paths) in new[] { ("A", result.Added), ("M", result.Modified), ("D", result.Deleted) })
        {
            foreach (var path in paths)
            {
                lines.Append(letter).Append("       ").AppendLine(run.Display(repository, path));
            }
        }

        run.Out.Write(lines);

        var parts = new List<string>();
        if (transferred > 0)
        {
            parts.Add($"{DataInvocation.Count(transferred, "file")} fetched");
        }

        foreach (var (count, what) in new[] { (result.Added.Count, "added"), (result.Modified.Count, "modified"), (result.Deleted.Count, "deleted") })
        {
            if (count > 0)
            {
                parts.Add($"{DataInvocation.Count(count, "file")} {what}");
            }
        }

        if (result.Missing.Count > 0)
        {
            run.Console.WriteError(
                $"Checkout failed for {DataInvocation.Count(result.Missing.Count, "output")} whose objects are not in the cache: "
                + string.Join(", ", result.Missing.Select(p => run.Display(repository, p)))
                + ". Fetch or pull them ('mlops pull'), or push them from the machine that has them.");
            if (parts.Count > 0)
            {
                run.Out.WriteLine(string.Join(", ", parts));
            }

            return ExitCodes.Failure;
        }

        run.Out.WriteLine(parts.Count == 0 ? "Everything is up to date." : string.Join(", ", parts));
        return ExitCodes.Success;
    }

    private static void WriteGitHint(DataInvocation run, DataRepository repository, IEnumerable<TrackedOutput> outputs)
    {
        if (!repository.UsesGit)
        {
            return;
        }

        var files = new List<string>();
        foreach (var output in outputs)
        {
            files.Add(output.PointerPath);
            var slash = output.PointerPath.LastIndexOf('/');
            var gitignore = (slash < 0 ? "" : output.PointerPath[..(slash + 1)]) + ".gitignore";
            if (File.Exists(Path.Combine(repository.Root, gitignore)))
            {
                files.Add(gitignore);
            }
        }

        if (files.Count > 0)
        {
            run.Out.WriteLine("To track the changes with git, run:");
            run.Out.WriteLine();
            run.Out.WriteLine("\tgit add " + string.Join(' ', files.Distinct(StringComparer.Ordinal).Select(f => QuoteForShell(run.Display(repository, f)))));
            run.Out.WriteLine();
        }
    }

    private static string QuoteForShell(string path) =>
        path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or '\\' or '*' or '?') ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : path;

    private static string StateName(OutputState state) => state switch
    {
        OutputState.Modified => "modified",
        OutputState.New => "new",
        OutputState.Deleted => "deleted",
        OutputState.NotInCache => "not in cache",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static JsonObject DiffJson(DiffResult diff, bool hashes)
    {
        JsonObject Entry(string path, string? hash)
        {
            var node = new JsonObject { ["path"] = path };
            if (hashes)
            {
                node["hash"] = hash;
            }

            return node;
        }

        return new JsonObject
        {
            ["added"] = new JsonArray([.. diff.Added.Select(e => Entry(e.Path, e.NewMd5))]),
            ["deleted"] = new JsonArray([.. diff.Deleted.Select(e => Entry(e.Path, e.OldMd5))]),
            ["modified"] = new JsonArray([.. diff.Modified.Select(e =>
            {
                var node = new JsonObject { ["path"] = e.Path };
                if (hashes)
                {
                    node["hash"] = new JsonObject { ["old"] = e.OldMd5, ["new"] = e.NewMd5 };
                }

                return node;
            })]),
            ["renamed"] = new JsonArray([.. diff.Renamed.Select(e =>
            {
                var node = new JsonObject { ["path"] = new JsonObject { ["old"] = e.OldPath, ["new"] = e.NewPath } };
                if (hashes)
                {
                    node["hash"] = e.Md5;
                }

                return node;
            })]),
        };
    }

    private static IEnumerable<(string Status, string Hash, string Path)> DiffRows(DiffResult diff) =>
        diff.Added.Select(e => ("added", Short(e.NewMd5), e.Path))
            .Concat(diff.Deleted.Select(e => ("deleted", Short(e.OldMd5), e.Path)))
            .Concat(diff.Renamed.Select(e => ("renamed", Short(e.Md5), $"{e.OldPath} -> {e.NewPath}")))
            .Concat(diff.Modified.Select(e => ("modified", $"{Short(e.OldMd5)}..{Short(e.NewMd5)}", e.Path)));

    private static void WriteDiffSection(DataInvocation run, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        run.Out.WriteLine($"{title}:");
        foreach (var line in list)
        {
            run.Out.WriteLine("    " + line);
        }

        run.Out.WriteLine();
    }

    private static string Hashed(string? hash, string path, bool hashes) => hashes ? $"{Short(hash)}  {path}" : path;

    private static string Short(string? hash) => hash is null ? "" : hash[..Math.Min(8, hash.Length)];
}
