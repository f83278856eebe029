using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Mlops.Storage.AzureBlob;

/// <summary>Checks an <see cref="AzureBlobStoreOptions"/> at start, naming the store in every failure.</summary>
internal sealed partial class AzureBlobStoreOptionsValidator : IValidateOptions<AzureBlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(name ?? "", options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> GetFailures(string name, AzureBlobStoreOptions options)
    {
        var failures = new List<string>();
        var where = $"The Azure Blob store '{name}'";
        if (string.IsNullOrWhiteSpace(options.ConnectionString) && options.ServiceUri is null)
        {
            failures.Add($"{where} needs a ConnectionString, or a ServiceUri (with a Credential unless the URI carries a SAS): set it in AddAzureBlobStore(\"{name}\", o => …).");
        }
        else if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                // Parses only; no request is sent.
                _ = new BlobServiceClient(options.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                failures.Add($"{where} has a ConnectionString that cannot be parsed ({ex.Message}): copy it again from the storage account's access keys.");
            }
        }
        else if (options.ServiceUri is { IsAbsoluteUri: false })
        {
            failures.Add($"{where} needs an absolute ServiceUri such as https://account.blob.core.windows.net.");
        }

        if (string.IsNullOrWhiteSpace(options.Container))
        {
            failures.Add($"{where} needs a Container: set it in AddAzureBlobStore(\"{name}\", o => o.Container = …).");
        }
        else if (!IsValidContainerName(options.Container))
        {
            failures.Add($"{where} has an invalid Container '{options.Container}': use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
        }

        if (options.Prefix is null)
        {
            failures.Add($"{where} has a null Prefix: use \"\" for the whole container.");
        }
        else if (!AzureBlobStore.IsValidPrefix(options.Prefix))
        {
            failures.Add($"{where} has an invalid Prefix '{options.Prefix}': use a relative path with '/' separators, such as 'team/dvc'.");
        }

        if (options.Resilience is null)
        {
            failures.Add($"{where} has no Resilience options.");
        }
        else
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(options.Resilience, new ValidationContext(options.Resilience), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"{where}: Resilience: {r.ErrorMessage}"));
            }
        }

        return failures;
    }

    internal static bool IsValidContainerName(string container) => container == "$root" || ContainerName().IsMatch(container);

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
