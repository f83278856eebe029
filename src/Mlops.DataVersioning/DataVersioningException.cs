using Mlops.Core;

namespace Mlops.DataVersioning;

/// <summary>
/// An expected failure of a data repository operation. The message says what failed, which file,
/// object or remote, and what to do about it.
/// </summary>
public sealed class DataVersioningException : MlopsException
{
    /// <summary>Creates an exception with no message.</summary>
    public DataVersioningException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public DataVersioningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public DataVersioningException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about some files or objects, which are also listed in <see cref="Paths"/>.</summary>
    public DataVersioningException(string message, IReadOnlyList<string> paths, Exception? innerException = null)
        : base(message, innerException)
    {
        Paths = paths;
    }

    /// <summary>The files, outputs or objects the failure is about, when there are several.</summary>
    public IReadOnlyList<string> Paths { get; } = [];
}
