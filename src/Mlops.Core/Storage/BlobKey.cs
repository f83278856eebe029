namespace Mlops.Core.Storage;

/// <summary>Rules for blob keys: relative paths with '/' separators that cannot escape the store.</summary>
public static class BlobKey
{
    /// <summary>Throws when <paramref name="key"/> is not a valid blob key.</summary>
    /// <exception cref="ArgumentException">The key is empty, absolute, uses '\', or has an empty, '.' or '..' segment.</exception>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValid(key))
        {
            throw new ArgumentException(
                $"The blob key '{key}' is not valid: use a relative path with '/' separators and no empty, '.' or '..' segments.",
                nameof(key));
        }
    }

    /// <summary>Says whether <paramref name="key"/> is a valid blob key.</summary>
    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key[0] == '/' || key.Contains('\\', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="prefix"/> is not empty and not a valid key prefix.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        // A prefix may end with '/', or stop in the middle of a segment.
        var trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (!IsValid(trimmed))
        {
            throw new ArgumentException($"The blob key prefix '{prefix}' is not valid: use a relative path with '/' separators.", nameof(prefix));
        }
    }
}
