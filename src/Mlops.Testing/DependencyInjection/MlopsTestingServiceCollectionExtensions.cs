using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Core.DependencyInjection;
using Mlops.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The builder returned by <c>AddMlopsTesting</c>; drift and report extensions hang off it.</summary>
public interface IMlopsTestingBuilder : IMlopsBuilder;

/// <summary>Registers the services of Mlops.Testing.</summary>
public static class MlopsTestingServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="DataValidator"/> configured by <see cref="DataValidationOptions"/> (validated at start).
    /// Safe to call more than once; registrations made before win.
    /// </summary>
    public static IMlopsTestingBuilder AddMlopsTesting(this IServiceCollection services, Action<DataValidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        var options = services.AddOptions<DataValidationOptions>()
            .Validate(o => o.BatchSize > 0, "DataValidationOptions.BatchSize must be positive: set it in AddMlopsTesting(o => o.BatchSize = …).")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new DataValidator(sp.GetRequiredService<IOptions<DataValidationOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return new MlopsTestingBuilder(services);
    }

    private sealed class MlopsTestingBuilder(IServiceCollection services) : IMlopsTestingBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
