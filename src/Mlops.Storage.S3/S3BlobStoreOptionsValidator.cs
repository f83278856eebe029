using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Mlops.Storage.S3;

/// <summary>Checks an <see cref="S3BlobStoreOptions"/> at start, naming the store in every failure.</summary>
internal sealed partial class S3BlobStoreOptionsValidator : IValidateOptions<S3BlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(name ?? "", options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static List<string> GetFailures(string name, S3BlobStoreOptions options)
    {
        var failures = new List<string>();
        var where = $"The S3 store '{name}'";
        if (options.ServiceUrl is null && string.IsNullOrWhiteSpace(options.Region))
        {
            failures.Add($"{where} needs a Region (for Amazon S3) or a ServiceUrl (for an S3-compatible service): set it in AddS3BlobStore(\"{name}\", o => …).");
        }
        else if (options.ServiceUrl is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
        {
            failures.Add($"{where} needs an absolute http(s) ServiceUrl such as https://minio.example.com:9000.");
        }

        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            failures.Add($"{where} needs a Bucket: set it in AddS3BlobStore(\"{name}\", o => o.Bucket = …).");
        }
        else if (!BucketName().IsMatch(options.Bucket))
        {
            failures.Add($"{where} has an invalid Bucket '{options.Bucket}': use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.");
        }

        if (options.Prefix is null)
        {
            failures.Add($"{where} has a null Prefix: use \"\" for the whole bucket.");
        }
        else if (!S3BlobStore.IsValidPrefix(options.Prefix))
        {
            failures.Add($"{where} has an invalid Prefix '{options.Prefix}': use a relative path with '/' separators, such as 'team/dvc'.");
        }

        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            failures.Add($"{where} has only one of AccessKey and SecretKey: set both, or neither to use the SDK's default credential chain.");
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

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();
}
