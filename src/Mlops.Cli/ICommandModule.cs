using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Cli;

/// <summary>
/// One area of the CLI (environment, data, experiments, …): the services its verbs need and the
/// verbs themselves. <see cref="MlopsCli.Modules"/> lists the modules; adding an area is adding one.
/// </summary>
internal interface ICommandModule
{
    /// <summary>
    /// Registers the services the module's verbs resolve from <see cref="CliContext.Services"/>: all they need, since
    /// each module's services are composed alone (a data verb never builds tracking's).
    /// </summary>
    void ConfigureServices(IServiceCollection services);

    /// <summary>Creates the module's top-level commands. Runs on every invocation, so does no I/O.</summary>
    IEnumerable<Command> CreateCommands(CliContext context);
}
