namespace Mlops.Cli;

/// <summary>What a verb's action works with: where to write, and the services of its module.</summary>
/// <remarks>The service provider is built on first use, so <c>--help</c> and parse errors build none.</remarks>
internal sealed class CliContext(CliConsole console, Func<IServiceProvider> services)
{
    private readonly Lazy<IServiceProvider> _services = new(services);

    /// <summary>Where output and errors go, and whether they may be styled.</summary>
    public CliConsole Console { get; } = console;

    /// <summary>The services the verb's <see cref="ICommandModule"/> registered.</summary>
    public IServiceProvider Services => _services.Value;

    /// <summary>Whether <see cref="Services"/> was built (and so must be disposed).</summary>
    public bool HasServices => _services.IsValueCreated;
}
