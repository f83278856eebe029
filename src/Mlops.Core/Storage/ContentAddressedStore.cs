using System.Runtime.CompilerServices;
using Mlops.Core.Hashing;

namespace Mlops.Core.Storage;

/// <summary>
/// Objects addressed by their md5 on any <see cref="BlobStore"/>, in DVC 3's layout:
/// <c>files/md5/&lt;first two hex digits&gt;/&lt;the rest&gt;</c> (a directory manifest keeps its <c>.dir</c> suffix).
/// </summary>
public sealed class ContentAddressedStore
{
    /// <summary>The key prefix of DVC 3's object layout.</summary>
    public const string Prefix = "files/md5/";

    /// <summary>Wraps <paramref name="store"/>.</summary>
    public ContentAddressedStore(BlobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
    }

    /// <summary>The store that holds the objects.</summary>
    public BlobStore Store { get; }

    /// <summary>Returns the key of the object with md5 <paramref name="oid"/>.</summary>
    /// <exception cref="ArgumentException">The oid is not 32 hex digits, optionally followed by <c>.dir</c>.</exception>
    public static string GetKey(string oid)
    {
        ValidateOid(oid);
        return string.Concat(Prefix, oid.AsSpan(0, 2), "/", oid.AsSpan(2));
    }

    /// <summary>Says whether <paramref name="oid"/> is an md5 (32 lowercase hex digits), optionally with the <c>.dir</c> suffix.</summary>
    public static bool IsValidOid(string? oid)
    {
        if (oid is null)
        {
            return false;
        }

        var hex = oid.EndsWith(DirectoryManifest.DirSuffix, StringComparison.Ordinal) ? oid.AsSpan(0, oid.Length - 4) : oid.AsSpan();
        if (hex.Length != 32)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Says whether the object exists.</summary>
    public ValueTask<bool> ExistsAsync(string oid, CancellationToken cancellationToken = default) =>
        Store.ExistsAsync(GetKey(oid), cancellationToken);

    /// <summary>Opens the object for reading.</summary>
    /// <exception cref="BlobNotFoundException">The store has no such object.</exception>
    public ValueTask<Stream> OpenReadAsync(string oid, CancellationToken cancellationToken = default) =>
        Store.OpenReadAsync(GetKey(oid), cancellationToken);

    /// <summary>
    /// Writes <paramref name="content"/> as the object <paramref name="oid"/>, checking its md5 as it streams:
    /// content whose md5 differs is never stored under the oid (for a <c>.dir</c> object the md5 of its bytes is checked).
    /// </summary>
    /// <exception cref="ContentHashMismatchException">The content's md5 is not <paramref name="oid"/>.</exception>
    public async ValueTask WriteAsync(string oid, Stream content, CancellationToken cancellationToken = default)
    {
        var key = GetKey(oid);
        var verifying = new HashVerifyingStream(content, ExpectedMd5(oid), Store.Name, key);
        await using (verifying.ConfigureAwait(false))
        {
            await Store.WriteAsync(key, verifying, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the object; returns false when there was none.</summary>
    public ValueTask<bool> DeleteAsync(string oid, CancellationToken cancellationToken = default) =>
        Store.DeleteAsync(GetKey(oid), cancellationToken);

    /// <summary>Lists the oids of every object in DVC 3's layout.</summary>
    public async IAsyncEnumerable<string> ListOidsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var blob in ListObjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return blob.Key;
        }
    }

    /// <summary>Lists every object in DVC 3's layout with its size; each <see cref="BlobInfo.Key"/> is the object's oid.</summary>
    public async IAsyncEnumerable<BlobInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var blob in Store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            // files/md5/ab/cdef… → abcdef…; anything else under the prefix is not ours.
            var rest = blob.Key.AsSpan(Prefix.Length);
            if (rest.Length > 3 && rest[2] == '/')
            {
                var oid = string.Concat(rest[..2], rest[3..]);
                if (IsValidOid(oid))
                {
                    yield return new BlobInfo(oid, blob.Size);
                }
            }
        }
    }

    private static string ExpectedMd5(string oid) =>
        oid.EndsWith(DirectoryManifest.DirSuffix, StringComparison.Ordinal) ? oid[..^DirectoryManifest.DirSuffix.Length] : oid;

    private static void ValidateOid(string oid)
    {
        if (!IsValidOid(oid))
        {
            throw new ArgumentException($"'{oid}' is not an md5 object id: expected 32 lowercase hex digits, optionally followed by '.dir'.", nameof(oid));
        }
    }
}
