using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mlops.Testing.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void AddMlopsTesting_registers_a_validator_once()
    {
        var services = new ServiceCollection();
        services.AddMlopsTesting(o => o.BatchSize = 128);
        services.AddMlopsTesting();

        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<DataValidator>(), provider.GetRequiredService<DataValidator>());
        Assert.Equal(128, provider.GetRequiredService<IOptions<DataValidationOptions>>().Value.BatchSize);
        Assert.Single(services, d => d.ServiceType == typeof(DataValidator));
    }

    [Fact]
    public void A_bad_batch_size_fails_validation()
    {
        var services = new ServiceCollection();
        services.AddMlopsTesting(o => o.BatchSize = 0);

        using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DataValidationOptions>>().Value);
    }
}
