using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Mlops.Core.Git;

namespace Mlops.Core;

/// <summary>Takes <see cref="EnvironmentSnapshot"/>s of the current process.</summary>
public sealed class EnvironmentSnapshotProvider
{
    private readonly EnvironmentSnapshotOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Func<string, string?> _getVariable;

    /// <summary>Creates a provider with the default options and the system clock.</summary>
    public EnvironmentSnapshotProvider()
        : this(Options.Create(new EnvironmentSnapshotOptions()), TimeProvider.System)
    {
    }

    /// <summary>Creates a provider.</summary>
    public EnvironmentSnapshotProvider(IOptions<EnvironmentSnapshotOptions> options, TimeProvider timeProvider)
        : this(options, timeProvider, Environment.GetEnvironmentVariable)
    {
    }

    internal EnvironmentSnapshotProvider(IOptions<EnvironmentSnapshotOptions> options, TimeProvider timeProvider, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _timeProvider = timeProvider;
        _getVariable = getVariable;
    }

    /// <summary>Takes a snapshot now. Reads the <c>.deps.json</c> file and the Git repository; no network.</summary>
    public EnvironmentSnapshot Capture()
    {
        var entry = Assembly.GetEntryAssembly()?.GetName();
        return new EnvironmentSnapshot
        {
            CapturedAt = _timeProvider.GetUtcNow(),
            OperatingSystem = RuntimeInformation.OSDescription,
            Platform = PlatformName(),
            Runtime = RuntimeInformation.FrameworkDescription,
            RuntimeIdentifier = RuntimeInformation.RuntimeIdentifier,
            Architecture = RuntimeInformation.ProcessArchitecture.ToString(),
            ProcessorCount = Environment.ProcessorCount,
            MachineName = Environment.MachineName,
            EntryAssembly = entry is null ? null : $"{entry.Name} {entry.Version}",
            Packages = ReadPackages(_options.DepsFile ?? DefaultDepsFile()),
            Git = _options.CaptureGit ? ReadGit(_options.GitWorkingDirectory ?? Directory.GetCurrentDirectory()) : null,
            EnvironmentVariables = ReadVariables(),
        };
    }

    /// <summary>Reads the NuGet packages and their versions from a <c>.deps.json</c> file; empty when it is missing.</summary>
    /// <exception cref="MlopsException">The file exists but is not valid JSON.</exception>
    public static IReadOnlyDictionary<string, string> ReadPackages(string? depsFile)
    {
        var packages = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (depsFile is null || !File.Exists(depsFile))
        {
            return packages;
        }

        try
        {
            using var stream = File.OpenRead(depsFile);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("libraries", out var libraries))
            {
                return packages;
            }

            // "libraries": { "Name/1.2.3": { "type": "package", … } } — projects and the runtime itself are not packages.
            foreach (var library in libraries.EnumerateObject())
            {
                if (library.Value.TryGetProperty("type", out var type) && type.ValueEquals("package"))
                {
                    var slash = library.Name.IndexOf('/', StringComparison.Ordinal);
                    if (slash > 0)
                    {
                        packages[library.Name[..slash]] = library.Name[(slash + 1)..];
                    }
                }
            }
        }
        catch (JsonException ex)
        {
            throw new MlopsException($"Cannot read package versions from '{depsFile}': it is not valid JSON ({ex.Message}).", ex);
        }

        return packages;
    }

    private static string? DefaultDepsFile()
    {
        var entry = Assembly.GetEntryAssembly();
        if (entry is null || string.IsNullOrEmpty(entry.Location))
        {
            return null;
        }

        return Path.ChangeExtension(entry.Location, ".deps.json");
    }

    private static GitHeadInfo? ReadGit(string directory)
    {
        try
        {
            using var repository = GitRepository.Open(directory);
            return repository.GetHead();
        }
        catch (GitException)
        {
            // Not in a repository, or no commits yet: the snapshot just has no Git state.
            return null;
        }
    }

    private SortedDictionary<string, string> ReadVariables()
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        foreach (var name in _options.EnvironmentVariables)
        {
            if (name.EndsWith('*'))
            {
                prefixes.Add(name[..^1]);
            }
            else if (_getVariable(name) is { } value)
            {
                values[name] = value;
            }
        }

        if (prefixes.Count > 0)
        {
            foreach (var key in Environment.GetEnvironmentVariables().Keys.OfType<string>())
            {
                if (prefixes.Exists(p => key.StartsWith(p, StringComparison.Ordinal)) && _getVariable(key) is { } value)
                {
                    values[key] = value;
                }
            }
        }

        return values;
    }

    private static string PlatformName()
    {
        if (OperatingSystem.IsLinux())
        {
            return "Linux";
        }

        if (OperatingSystem.IsWindows())
        {
            return "Windows";
        }

        if (OperatingSystem.IsMacOS())
        {
            return "macOS";
        }

        return OperatingSystem.IsFreeBSD() ? "FreeBSD" : "Other";
    }
}
