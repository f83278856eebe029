namespace Mlops.Cli;

/// <summary>The process exit codes of every verb.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed for a reason printed to stderr (an <see cref="Core.MlopsException"/>, an invalid configuration).</summary>
    public const int Failure = 1;

    /// <summary>The command line could not be parsed: unknown verb or option, missing or invalid value.</summary>
    public const int Usage = 2;
}
