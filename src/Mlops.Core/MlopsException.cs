namespace Mlops.Core;

/// <summary>
/// The base of every expected failure raised by Mlops.Libraries. Its message says what failed,
/// where (file, key, row) and what to do about it.
/// </summary>
public class MlopsException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public MlopsException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public MlopsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public MlopsException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
