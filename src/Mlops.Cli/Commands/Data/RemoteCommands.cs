using System.CommandLine;
using System.Text.Json.Nodes;
using Mlops.DataVersioning;
using Mlops.DataVersioning.Formats;

namespace Mlops.Cli.Commands.Data;

/// <summary>
/// <c>mlops remote add|modify|list|remove</c>: edit the <c>['remote "NAME"']</c> sections of <c>.dvc/config</c>
/// (or, with <c>--local</c>, of <c>.dvc/config.local</c>, which Git ignores: the place for credentials).
/// Values are never printed, and URLs only without user information.
/// </summary>
internal static class RemoteCommands
{
    public static Command Create(CliContext context)
    {
        var remote = new Command("remote", "Add, change, list and remove the remotes of .dvc/config.");
        remote.Subcommands.Add(Add(context));
        remote.Subcommands.Add(Modify(context));
        remote.Subcommands.Add(List(context));
        remote.Subcommands.Add(Remove(context));
        return remote;
    }

    /// <summary>A URL without its user information (<c>user:password@</c>), safe to print.</summary>
    public static string Redact(string url) => new RemoteConfig("", url, new Dictionary<string, string>()).RedactedUrl;

    private static Option<bool> LocalOption() =>
        new("--local") { Description = "Write to .dvc/config.local (ignored by Git: the place for credentials) instead of .dvc/config." };

    private static Command Add(CliContext context)
    {
        var isDefault = new Option<bool>("--default", "-d") { Description = "Make it the default remote (core.remote)." };
        var force = new Option<bool>("--force", "-f") { Description = "Replace a remote of that name." };
        var local = LocalOption();
        var name = new Argument<string>("name") { Description = "The remote's name." };
        var url = new Argument<string>("url") { Description = "A local folder, s3://bucket/prefix, azure://container/prefix, …" };
        return DataCommands.Verb(context, "add", "Add a remote.", [isDefault, force, local, name, url], (run, _) =>
        {
            var repository = run.Open();
            var remoteName = run.Get(name)!;
            var (path, config) = Load(repository, run.Get(local));
            var section = DvcConfig.RemoteSection(remoteName);
            if (config.GetRemote(remoteName) is not null)
            {
                if (!run.Get(force))
                {
                    throw new DataVersioningException($"The remote '{remoteName}' exists already in '{path}'. Use 'mlops remote add -f' to replace it, or 'mlops remote modify' to change it.");
                }

                foreach (var key in config.GetSection(section).Keys)
                {
                    config.Set(section, key, null);
                }
            }

            config.Set(section, "url", StoredUrl(run, repository, run.Get(url)!));
            if (run.Get(isDefault))
            {
                config.Set("core", "remote", remoteName);
            }

            config.Save(path);
            if (run.Get(isDefault))
            {
                run.Out.WriteLine($"Setting '{remoteName}' as a default remote.");
            }

            run.Out.WriteLine($"Remote '{remoteName}' added.");
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Modify(CliContext context)
    {
        var unset = new Option<bool>("--unset", "-u") { Description = "Remove the key instead of setting it." };
        var local = LocalOption();
        var name = new Argument<string>("name") { Description = "The remote's name." };
        var key = new Argument<string>("key") { Description = "The option: url, endpointurl, access_key_id, connection_string, …" };
        var value = new Argument<string?>("value") { Description = "The value (not with --unset).", Arity = ArgumentArity.ZeroOrOne };
        var command = DataCommands.Verb(context, "modify", "Set or unset an option of a remote. Values are not echoed.", [unset, local, name, key, value], (run, _) =>
        {
            var repository = run.Open();
            var remoteName = run.Get(name)!;
            var option = run.Get(key)!;
            if (repository.Config.GetRemote(remoteName) is null)
            {
                throw new DataVersioningException($"The remote '{remoteName}' does not exist. Configured: {Configured(repository)}. Add it with 'mlops remote add {remoteName} URL'.");
            }

            var (path, config) = Load(repository, run.Get(local));
            var newValue = run.Get(unset) ? null : run.Get(value)!;
            if (newValue is not null && option == "url")
            {
                newValue = StoredUrl(run, repository, newValue);
            }

            config.Set(DvcConfig.RemoteSection(remoteName), option, newValue);
            config.Save(path);
            run.Out.WriteLine($"Remote '{remoteName}': '{option}' {(newValue is null ? "unset" : "set")} in {Path.GetRelativePath(repository.Root, path).Replace(Path.DirectorySeparatorChar, '/')}.");
            return Task.FromResult(ExitCodes.Success);
        });
        command.Validators.Add(result =>
        {
            var hasValue = result.GetValue(value) is not null;
            if (result.GetValue(unset) && hasValue)
            {
                result.AddError("With --unset, give no value: mlops remote modify --unset NAME KEY.");
            }
            else if (!result.GetValue(unset) && !hasValue)
            {
                result.AddError("Missing VALUE: mlops remote modify NAME KEY VALUE (or --unset NAME KEY).");
            }
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Write the remotes as JSON (name, URL, whether it is the default)." };
        return DataCommands.Verb(context, "list", "List the remotes with their URLs (without credentials); the default is marked.", [json], (run, _) =>
        {
            var repository = run.Open();
            var config = repository.Config;
            var remotes = config.RemoteNames.Select(n => config.GetRemote(n)!).ToList();
            if (run.Get(json))
            {
                run.WriteJson(new JsonArray([.. remotes.Select(r => new JsonObject
                {
                    ["name"] = r.Name,
                    ["url"] = r.RedactedUrl,
                    ["default"] = r.Name == config.DefaultRemote,
                })]));
                return Task.FromResult(ExitCodes.Success);
            }

            foreach (var r in remotes)
            {
                run.Out.WriteLine(r.Name == config.DefaultRemote ? $"{r.Name}\t{r.RedactedUrl}\t(default)" : $"{r.Name}\t{r.RedactedUrl}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The remote's name." };
        return DataCommands.Verb(context, "remove", "Remove a remote from .dvc/config and .dvc/config.local (and core.remote when it was the default).", [name], (run, _) =>
        {
            var repository = run.Open();
            var remoteName = run.Get(name)!;
            if (repository.Config.GetRemote(remoteName) is null)
            {
                throw new DataVersioningException($"The remote '{remoteName}' does not exist. Configured: {Configured(repository)}.");
            }

            foreach (var local in new[] { false, true })
            {
                var (path, config) = Load(repository, local);
                var section = DvcConfig.RemoteSection(remoteName);
                var changed = false;
                foreach (var key in config.GetSection(section).Keys)
                {
                    config.Set(section, key, null);
                    changed = true;
                }

                if (config.DefaultRemote == remoteName)
                {
                    config.Set("core", "remote", null);
                    changed = true;
                }

                if (changed)
                {
                    config.Save(path);
                }
            }

            run.Out.WriteLine($"Remote '{remoteName}' removed.");
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static (string Path, DvcConfig Config) Load(DataRepository repository, bool local)
    {
        var path = Path.Combine(repository.DvcDirectory, local ? "config.local" : "config");
        return (path, DvcConfig.Load(path));
    }

    private static string Configured(DataRepository repository) =>
        repository.Config.RemoteNames.Count == 0 ? "none" : string.Join(", ", repository.Config.RemoteNames);

    // As DVC does: a relative local path is stored relative to .dvc/, where the config is, so it works from any folder.
    private static string StoredUrl(DataInvocation run, DataRepository repository, string url)
    {
        if (url.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(url))
        {
            return url;
        }

        return Path.GetRelativePath(repository.DvcDirectory, run.Full(url)).Replace(Path.DirectorySeparatorChar, '/');
    }
}
