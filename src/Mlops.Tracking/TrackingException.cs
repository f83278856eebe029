using Mlops.Core;

namespace Mlops.Tracking;

/// <summary>What kind of failure a <see cref="TrackingException"/> reports, so callers can react without parsing messages.</summary>
public enum TrackingErrorCode
{
    /// <summary>The store failed (a file, a connection, a query); the message names the store.</summary>
    StoreFailure,

    /// <summary>A key, value, name or request is not valid; nothing was written.</summary>
    InvalidArgument,

    /// <summary>The experiment, run, model, version or alias does not exist.</summary>
    NotFound,

    /// <summary>Something with that name already exists.</summary>
    AlreadyExists,

    /// <summary>The write contradicts what is stored (a param re-logged with another value, a deleted run); nothing was written.</summary>
    Conflict,

    /// <summary>A search filter, order or page token could not be parsed.</summary>
    InvalidQuery,
}

/// <summary>
/// An expected failure of experiment tracking or the model registry. The message says what failed,
/// which run, key or model, and what to do about it.
/// </summary>
public class TrackingException : MlopsException
{
    /// <summary>Creates an exception with no message.</summary>
    public TrackingException()
    {
    }

    /// <summary>Creates a <see cref="TrackingErrorCode.StoreFailure"/> with a message.</summary>
    public TrackingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a <see cref="TrackingErrorCode.StoreFailure"/> with a message and its cause.</summary>
    public TrackingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception of the given kind.</summary>
    public TrackingException(TrackingErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>What kind of failure this is.</summary>
    public TrackingErrorCode ErrorCode { get; }
}
