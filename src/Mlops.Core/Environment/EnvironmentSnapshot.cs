using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Core.Git;

namespace Mlops.Core;

/// <summary>
/// What a run ran on: the OS, the runtime, the packages the program was built against, the Git
/// state, and the allowed environment variables. Serialisable to JSON; recorded with every run.
/// </summary>
public sealed record EnvironmentSnapshot
{
    /// <summary>When the snapshot was taken.</summary>
    public required DateTimeOffset CapturedAt { get; init; }

    /// <summary>The operating system, for example "Debian GNU/Linux 12 (bookworm)" or "Microsoft Windows 10.0.22631".</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>The OS family: "Linux", "Windows", "macOS", "FreeBSD" or "Other".</summary>
    public required string Platform { get; init; }

    /// <summary>The .NET runtime, for example ".NET 10.0.0".</summary>
    public required string Runtime { get; init; }

    /// <summary>The runtime identifier, for example "linux-x64".</summary>
    public required string RuntimeIdentifier { get; init; }

    /// <summary>The process architecture, for example "X64" or "Arm64".</summary>
    public required string Architecture { get; init; }

    /// <summary>The number of processors the process may use.</summary>
    public required int ProcessorCount { get; init; }

    /// <summary>The machine's name.</summary>
    public required string MachineName { get; init; }

    /// <summary>The entry assembly's name and version, when there is one.</summary>
    public string? EntryAssembly { get; init; }

    /// <summary>The NuGet packages the entry assembly was built against (from its <c>.deps.json</c>), by name.</summary>
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Git state of the working directory, when it is inside a repository with commits.</summary>
    public GitHeadInfo? Git { get; init; }

    /// <summary>The values of the allowed environment variables that are set.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Writes the snapshot as indented JSON with camelCase names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, EnvironmentSnapshotJsonContext.Default.EnvironmentSnapshot);

    /// <summary>Reads a snapshot written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a snapshot.</exception>
    public static EnvironmentSnapshot FromJson(string json) =>
        JsonSerializer.Deserialize(json, EnvironmentSnapshotJsonContext.Default.EnvironmentSnapshot)
        ?? throw new JsonException("The JSON holds no environment snapshot.");
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnvironmentSnapshot))]
internal sealed partial class EnvironmentSnapshotJsonContext : JsonSerializerContext;
