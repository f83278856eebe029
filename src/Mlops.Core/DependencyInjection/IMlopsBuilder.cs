using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Core.DependencyInjection;

/// <summary>
/// The builder each Mlops package returns from its <c>AddMlops…</c> method; backends add their
/// own extension methods to it (<c>.UsePostgreSql(…)</c>, <c>.AddS3Remote(…)</c>).
/// </summary>
public interface IMlopsBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}

/// <summary>The builder returned by <c>AddMlopsCore</c>.</summary>
public interface IMlopsCoreBuilder : IMlopsBuilder;

internal sealed class MlopsCoreBuilder(IServiceCollection services) : IMlopsCoreBuilder
{
    public IServiceCollection Services { get; } = services;
}
