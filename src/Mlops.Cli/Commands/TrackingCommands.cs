using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Cli.Commands.Tracking;
using Mlops.Tracking;
using Mlops.Tracking.Registry;
using Mlops.Tracking.Search;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops experiments</c>, <c>mlops runs</c> and <c>mlops models</c>: the tracking store and model registry of
/// Mlops.Tracking from a terminal. Every verb takes <c>--store</c>; without it the store is the one
/// <c>AddMlopsTracking</c> resolves (<c>MLOPS_TRACKING_URI</c>, else <c>./mlruns.db</c>).
/// </summary>
/// <remarks>
/// A filter or ordering that does not parse is bad usage (exit 2, the parser's message with the position), like any
/// other malformed argument; a query that parses but the store rejects, a missing run or model, or a reserved alias
/// is a failure (exit 1, the <see cref="TrackingException"/>'s message).
/// </remarks>
internal sealed class TrackingCommands : ICommandModule
{
    public void ConfigureServices(IServiceCollection services) => services.AddMlopsTracking();

    public IEnumerable<Command> CreateCommands(CliContext context)
    {
        yield return Experiments(context);
        yield return Runs(context);
        yield return Models(context);
    }

    private static Command Experiments(CliContext context)
    {
        var store = StoreOption();
        var json = JsonOption();
        var list = new Command("list", "List the active experiments.") { json };
        list.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var experiments = new List<Experiment>();
            await foreach (var experiment in session.Store.ListExperimentsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                experiments.Add(experiment);
            }

            if (parseResult.GetValue(json))
            {
                context.Console.Output.WriteLine(TrackingJson.Experiments(experiments));
            }
            else
            {
                TrackingTables.Experiments(context.Console.CreateOutputConsole(), experiments);
            }

            return ExitCodes.Success;
        }));

        var name = new Argument<string>("name") { Description = "The experiment's name (unique in the store)." };
        var create = new Command("create", "Create an experiment and print its id.") { name };
        create.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var experimentName = parseResult.GetRequiredValue(name);
            var id = await session.Store.CreateExperimentAsync(experimentName, cancellationToken: cancellationToken).ConfigureAwait(false);
            context.Console.Output.WriteLine($"Created experiment '{experimentName}' with id {id}.");
            return ExitCodes.Success;
        }));

        return new Command("experiments", "List and create experiments in the tracking store.") { store, list, create };
    }

    private static Command Runs(CliContext context)
    {
        var store = StoreOption();
        var json = JsonOption();

        var experiment = new Option<string[]>("--experiment", "-e")
        {
            Description = "Search only this experiment (by name); repeat for several. All experiments when absent.",
        };
        var filter = new Option<string>("--filter", "-f")
        {
            Description = "A filter in MLflow's language: clauses joined by AND, such as \"metrics.rmse < 3 and params.trainer = 'sdca' and attributes.status = 'FINISHED'\".",
        };
        filter.Validators.Add(result => ReportQueryError(result, text => RunFilter.Parse(text)));
        var orderBy = new Option<string[]>("--order-by", "-o")
        {
            Description = "An ordering such as \"metrics.rmse ASC\" or \"attributes.start_time DESC\"; repeat for ties. Newest first when absent.",
        };
        orderBy.Validators.Add(result =>
        {
            foreach (var ordering in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!ReportQueryError(result, text => RunOrdering.Parse(text), ordering))
                {
                    return;
                }
            }
        });
        var max = new Option<int>("--max", "-n")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"The most runs to return (1 to {RunSearchRequest.MaxResultsLimit})."),
            DefaultValueFactory = _ => 1000,
        };
        max.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > RunSearchRequest.MaxResultsLimit)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--max is {value}; it must be between 1 and {RunSearchRequest.MaxResultsLimit}. Page through more with --page-token."));
            }
        });
        var pageToken = new Option<string>("--page-token")
        {
            Description = "The next-page token a previous 'runs list' printed.",
        };

        var list = new Command("list", "Search runs across experiments with a filter and orderings.") { experiment, filter, orderBy, max, pageToken, json };
        list.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var result = await session.Tracker.SearchRunsByExperimentNamesAsync(
                parseResult.GetValue(experiment) ?? [],
                parseResult.GetValue(filter),
                parseResult.GetValue(orderBy) ?? [],
                parseResult.GetValue(max),
                parseResult.GetValue(pageToken),
                cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                context.Console.Output.WriteLine(TrackingJson.Runs(result));
            }
            else
            {
                TrackingTables.Runs(context.Console.CreateOutputConsole(), result.Runs);
                if (result.NextPageToken is { } next)
                {
                    context.Console.Output.WriteLine($"More runs match: add --page-token {next}");
                }
            }

            return ExitCodes.Success;
        }));

        var runId = new Argument<string>("run-id") { Description = "The run's id (32 hexadecimal characters)." };
        var show = new Command("show", "Show a run: its attributes, params, latest metrics and tags.") { runId, json };
        show.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var run = await session.Tracker.GetRunAsync(parseResult.GetRequiredValue(runId), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                context.Console.Output.WriteLine(TrackingJson.Run(run));
            }
            else
            {
                TrackingTables.Run(context.Console.CreateOutputConsole(), run);
            }

            return ExitCodes.Success;
        }));

        var runIds = new Argument<string[]>("run-ids")
        {
            Description = "Two or more run ids.",
            Arity = ArgumentArity.OneOrMore,
        };
        runIds.Validators.Add(result =>
        {
            if (result.Tokens.Count < 2)
            {
                result.AddError("'runs compare' needs at least two run ids.");
            }
        });
        var compareJson = JsonOption();
        var compare = new Command("compare", $"Put runs side by side: params and latest metrics, rows that differ marked {TrackingTables.DiffersMark}.") { runIds, compareJson };
        compare.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var comparison = await session.Tracker.CompareRunsAsync(parseResult.GetRequiredValue(runIds), cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(compareJson))
            {
                context.Console.Output.WriteLine(TrackingJson.Comparison(comparison));
            }
            else
            {
                TrackingTables.Comparison(context.Console.CreateOutputConsole(), comparison);
            }

            return ExitCodes.Success;
        }));

        return new Command("runs", "Search, show and compare tracked runs.") { store, list, show, compare };
    }

    private static Command Models(CliContext context)
    {
        var store = StoreOption();

        var listJson = JsonOption();
        var list = new Command("list", "List the registered models with their latest version and aliases.") { listJson };
        list.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var models = new List<RegisteredModel>();
            await foreach (var model in session.Registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
            {
                models.Add(model);
            }

            if (parseResult.GetValue(listJson))
            {
                context.Console.Output.WriteLine(TrackingJson.Models(models));
            }
            else
            {
                TrackingTables.Models(context.Console.CreateOutputConsole(), models);
            }

            return ExitCodes.Success;
        }));

        var versionsName = ModelName();
        var versionsJson = JsonOption();
        var versions = new Command("versions", "List the versions of a registered model, oldest first, with their aliases.") { versionsName, versionsJson };
        versions.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var name = parseResult.GetRequiredValue(versionsName);
            _ = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            var all = await session.Registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(versionsJson))
            {
                context.Console.Output.WriteLine(TrackingJson.Versions(all));
            }
            else
            {
                TrackingTables.Versions(context.Console.CreateOutputConsole(), name, all);
            }

            return ExitCodes.Success;
        }));

        var registerName = ModelName();
        var registerRun = new Argument<string>("run-id") { Description = "The run that produced the model." };
        var artifact = new Option<string>("--artifact", "-a")
        {
            Description = "The run's artifact folder that holds the model.",
            DefaultValueFactory = _ => "model",
        };
        var registerJson = JsonOption();
        var register = new Command("register", "Register a run's model artifact as the next version of a model (created when missing).") { registerName, registerRun, artifact, registerJson };
        register.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var version = await session.Registry.RegisterRunModelAsync(
                parseResult.GetRequiredValue(registerName),
                parseResult.GetRequiredValue(registerRun),
                parseResult.GetRequiredValue(artifact),
                cancellationToken).ConfigureAwait(false);
            context.Console.Output.WriteLine(parseResult.GetValue(registerJson)
                ? TrackingJson.Version(version)
                : string.Create(CultureInfo.InvariantCulture, $"Registered version {version.Version} of the model '{version.Name}' from {version.Source}."));
            return ExitCodes.Success;
        }));

        var setName = ModelName();
        var setAlias = AliasArgument();
        var setVersion = new Argument<int>("version") { Description = "The version the alias points to." };
        var set = new Command("set", "Point an alias (champion, challenger, …) at a version, moving it atomically from any other version.") { setName, setAlias, setVersion };
        set.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var name = parseResult.GetRequiredValue(setName);
            var alias = parseResult.GetRequiredValue(setAlias);
            var version = parseResult.GetValue(setVersion);
            await session.Registry.SetAliasAsync(name, alias, version, cancellationToken).ConfigureAwait(false);
            context.Console.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"models:/{name}@{alias} now points to version {version}."));
            return ExitCodes.Success;
        }));

        var deleteName = ModelName();
        var deleteAlias = AliasArgument();
        var delete = new Command("delete", "Remove an alias from a model.") { deleteName, deleteAlias };
        delete.SetAction((parseResult, cancellationToken) => WithSession(context, parseResult, store, async session =>
        {
            var name = parseResult.GetRequiredValue(deleteName);
            var alias = parseResult.GetRequiredValue(deleteAlias);
            _ = await RequireModelAsync(session, name, cancellationToken).ConfigureAwait(false);
            if (!await session.Registry.DeleteAliasAsync(name, alias, cancellationToken).ConfigureAwait(false))
            {
                throw new TrackingException(TrackingErrorCode.NotFound, $"The model '{name}' has no alias '{alias}': 'mlops models versions {name}' lists its aliases.");
            }

            context.Console.Output.WriteLine($"Removed the alias '{alias}' of the model '{name}'.");
            return ExitCodes.Success;
        }));

        var aliasCommand = new Command("alias", "Set or delete a model's aliases.") { set, delete };
        return new Command("models", "List, version, register and alias models in the model registry.") { store, list, versions, register, aliasCommand };
    }

    private static async Task<RegisteredModel> RequireModelAsync(TrackingSession session, string name, CancellationToken cancellationToken) =>
        await session.Registry.GetModelAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new TrackingException(TrackingErrorCode.NotFound, $"There is no registered model '{name}' in {session.Store.Location}: 'mlops models list' lists them.");

    private static async Task<int> WithSession(CliContext context, ParseResult parseResult, Option<string> store, Func<TrackingSession, Task<int>> action)
    {
        var session = await TrackingSession.OpenAsync(context, parseResult.GetValue(store)).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            return await action(session).ConfigureAwait(false);
        }
    }

    /// <summary>Adds the parser's message (which names the position) as a usage error; false when there was one.</summary>
    private static bool ReportQueryError(System.CommandLine.Parsing.OptionResult result, Action<string> parse, string? text = null)
    {
        try
        {
            parse(text ?? result.GetValueOrDefault<string>());
            return true;
        }
        catch (TrackingException ex) when (ex.ErrorCode == TrackingErrorCode.InvalidQuery)
        {
            result.AddError(ex.Message);
            return false;
        }
    }

    // Recursive, so it may follow the group ('mlops runs --store x list') or the verb ('mlops runs list --store x').
    private static Option<string> StoreOption()
    {
        var store = new Option<string>("--store")
        {
            Description = "The tracking store: a SQLite file path (or sqlite:///path) or a PostgreSQL connection string. Default: MLOPS_TRACKING_URI, else ./mlruns.db.",
            Recursive = true,
        };
        store.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--store is blank: give a SQLite file path or a PostgreSQL connection string, or leave it out to use MLOPS_TRACKING_URI or ./mlruns.db.");
            }
        });
        return store;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Write JSON instead of tables." };

    private static Argument<string> ModelName() => new("name") { Description = "The registered model's name." };

    private static Argument<string> AliasArgument() => new("alias") { Description = "The alias, such as champion ('latest' and v<digits> are reserved)." };
}
