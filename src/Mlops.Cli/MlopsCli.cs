using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Cli.Commands;
using Mlops.Core;

namespace Mlops.Cli;

/// <summary>The <c>mlops</c> command line: composes the modules' verbs and maps outcomes to exit codes.</summary>
internal static class MlopsCli
{
    /// <summary>The areas of the CLI, in the order their verbs appear in <c>--help</c>.</summary>
    internal static IReadOnlyList<ICommandModule> Modules { get; } =
    [
        new EnvironmentCommands(),
        new DataCommands(),
        new TrackingCommands(),
        new TestingCommands(),
    ];

    /// <summary>The version <c>--version</c> prints: the CLI assembly's informational version.</summary>
    internal static string Version { get; } =
        typeof(MlopsCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(MlopsCli).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Runs the CLI with plain (non-terminal) output to the given writers; the entry point tests use.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliConsole(stdout, stderr), configureServices: null, cancellationToken);

    /// <summary>Parses <paramref name="args"/>, runs the verb, and returns the process exit code.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="console">Where output and errors go.</param>
    /// <param name="configureServices">Registrations made before the modules' own, which therefore win (tests use fakes this way).</param>
    /// <param name="cancellationToken">Stops the verb.</param>
    public static async Task<int> RunAsync(
        string[] args,
        CliConsole console,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);

        // Each module's verbs get their own services, built when a verb first asks: a data verb never composes tracking's.
        var contexts = new List<CliContext>();
        CliContext ContextFor(ICommandModule module)
        {
            var context = new CliContext(console, () => BuildServices(configureServices, module));
            contexts.Add(context);
            return context;
        }

        try
        {
            var parseResult = CreateRootCommand(ContextFor).Parse(args);
            if (parseResult.Action is ParseErrorAction)
            {
                foreach (var error in parseResult.Errors)
                {
                    console.WriteError(error.Message);
                }

                console.Error.WriteLine("Run 'mlops --help' to see the verbs and their options.");
                return ExitCodes.Usage;
            }

            var invocation = new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsException ex)
        {
            console.WriteError(ex.Message);
            return ExitCodes.Failure;
        }
        catch (OptionsValidationException ex)
        {
            console.WriteError($"Invalid configuration: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.WriteError("Cancelled.");
            return ExitCodes.Failure;
        }
        finally
        {
            foreach (var context in contexts)
            {
                if (context.HasServices && context.Services is IAsyncDisposable disposable)
                {
                    await disposable.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The root command with every module's verbs, each module's with its context; creating it does no I/O.</summary>
    internal static RootCommand CreateRootCommand(Func<ICommandModule, CliContext> contextFor)
    {
        var root = new RootCommand("mlops: the Mlops.Libraries tool. Version data, track experiments, test data, run pipelines and serve models from a terminal.");
        foreach (var option in root.Options)
        {
            // The built-in --version prints the entry assembly's version, which in-process hosts
            // (tests) would misreport; print this assembly's informational version instead.
            if (option is VersionOption version)
            {
                version.Action = new PrintVersionAction();
            }
        }

        foreach (var module in Modules)
        {
            foreach (var command in module.CreateCommands(contextFor(module)))
            {
                root.Subcommands.Add(command);
            }
        }

        return root;
    }

    /// <summary>Registers one module's services and checks their options.</summary>
    /// <param name="configureServices">Registrations made first, which therefore win.</param>
    /// <param name="module">The module whose verbs will resolve from these services.</param>
    /// <param name="validateOnBuild">
    /// Whether to check up front that every registered service can be constructed. That builds services a verb may
    /// never resolve, on each run, so runs skip it, as a host does outside development, and a test checks every
    /// module's composition once instead.
    /// </param>
    internal static ServiceProvider BuildServices(Action<IServiceCollection>? configureServices, ICommandModule module, bool validateOnBuild = false)
    {
        var services = new ServiceCollection();
        configureServices?.Invoke(services);
        module.ConfigureServices(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = validateOnBuild, ValidateScopes = true });

        // There is no host to run ValidateOnStart's checks, so run them here: a misconfiguration
        // fails before the verb does any work.
        provider.GetService<IStartupValidator>()?.Validate();
        return provider;
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitCodes.Success;
        }
    }
}
