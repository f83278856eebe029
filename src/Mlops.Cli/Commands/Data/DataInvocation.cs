using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Core.Storage;
using Mlops.DataVersioning;

namespace Mlops.Cli.Commands.Data;

/// <summary>What a data verb's action works with: the console, the parsed command line and the folder it runs in.</summary>
internal sealed class DataInvocation(CliContext context, ParseResult parseResult, string baseDirectory)
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public CliConsole Console => context.Console;

    public TextWriter Out => context.Console.Output;

    public ParseResult ParseResult { get; } = parseResult;

    /// <summary>The folder paths on the command line are relative to: <c>-C DIR</c>, else the current directory.</summary>
    public string BaseDirectory { get; } = baseDirectory;

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    /// <summary>Opens the data repository at or above <see cref="BaseDirectory"/>, with the blob-store providers the modules registered (azure://, s3://, local folders).</summary>
    public DataRepository Open(int? jobs = null)
    {
        var options = new DataRepositoryOptions();
        if (jobs is { } j)
        {
            options.Jobs = j;
        }

        foreach (var provider in context.Services.GetServices<BlobStoreProvider>())
        {
            options.BlobStoreProviders.Add(provider);
        }

        return DataRepository.Open(BaseDirectory, options);
    }

    /// <summary>A path given on the command line, made absolute against <see cref="BaseDirectory"/>.</summary>
    public string Full(string path) => Path.GetFullPath(path, BaseDirectory);

    /// <summary>Targets made absolute; null when there are none (the library then takes every output).</summary>
    public IReadOnlyList<string>? Targets(string[]? targets) =>
        targets is null || targets.Length == 0 ? null : targets.Select(Full).ToArray();

    /// <summary>A path relative to the repository root, shown relative to <see cref="BaseDirectory"/> as DVC shows paths.</summary>
    public string Display(DataRepository repository, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(repository.Root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (string.Equals(Path.TrimEndingDirectorySeparator(repository.Root), Path.TrimEndingDirectorySeparator(BaseDirectory), StringComparison.Ordinal))
        {
            return relative;
        }

        var shown = Path.GetRelativePath(BaseDirectory, full).Replace(Path.DirectorySeparatorChar, '/');
        return relative.EndsWith('/') && !shown.EndsWith('/') ? shown + "/" : shown;
    }

    public void WriteJson(JsonNode node) => Out.WriteLine(node.ToJsonString(IndentedJson));

    /// <summary>Writes a tracked file's bytes to standard output as they are (no re-encoding) when it is a byte stream.</summary>
    public async Task WriteRawAsync(Stream source, CancellationToken cancellationToken)
    {
        await Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (ReferenceEquals(Out, System.Console.Out))
        {
            var stdout = System.Console.OpenStandardOutput();
            await using (stdout.ConfigureAwait(false))
            {
                await source.CopyToAsync(stdout, cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (Out is StreamWriter writer)
        {
            await source.CopyToAsync(writer.BaseStream, cancellationToken).ConfigureAwait(false);
            await writer.BaseStream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // A writer with no byte stream under it (an in-process host's StringWriter) can only take text.
        using var reader = new StreamReader(source, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        await Out.WriteAsync(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        await Out.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"1 file", "3 files".</summary>
    public static string Count(long count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
