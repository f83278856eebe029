using Mlops.Core;

namespace Mlops.Testing;

/// <summary>
/// An expected failure of Mlops.Testing: a suite that cannot be read or has invalid arguments, an unsupported
/// expectation, or a data file that cannot be parsed. Its message names the expectation, argument, file or row.
/// </summary>
public class DataTestingException : MlopsException
{
    /// <summary>Creates an exception with no message.</summary>
    public DataTestingException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public DataTestingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public DataTestingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
