using Spectre.Console;

namespace Mlops.Cli;

/// <summary>
/// The CLI's standard output and error, and the one place that decides whether they get colors,
/// markup styles and progress bars: only on a terminal, and never when <c>NO_COLOR</c> is set or
/// <c>TERM=dumb</c>. Redirected output is plain text (tables still render, without ANSI escapes).
/// </summary>
internal sealed class CliConsole
{
    // Tables written to a file or pipe are laid out this wide unless COLUMNS says otherwise, so
    // long values (OS names, remote URLs) are not wrapped at Spectre's default of 80 columns.
    private const int RedirectedWidth = 160;

    private readonly Func<string, string?> _getEnvironmentVariable;

    /// <summary>Creates a console over the given writers.</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="outputIsTerminal">Whether <paramref name="output"/> is an interactive terminal.</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is an interactive terminal.</param>
    /// <param name="getEnvironmentVariable">Reads <c>NO_COLOR</c>, <c>TERM</c> and <c>COLUMNS</c>; the process environment when null.</param>
    public CliConsole(
        TextWriter output,
        TextWriter error,
        bool outputIsTerminal = false,
        bool errorIsTerminal = false,
        Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Output = output;
        Error = error;
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        var plainRequested = !string.IsNullOrEmpty(_getEnvironmentVariable("NO_COLOR"))
            || string.Equals(_getEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        IsOutputStyled = outputIsTerminal && !plainRequested;
        IsErrorStyled = errorIsTerminal && !plainRequested;
    }

    /// <summary>Standard output: results, tables, JSON.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: error messages and diagnostics.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard output may carry colors, styles and live progress.</summary>
    public bool IsOutputStyled { get; }

    /// <summary>Whether standard error may carry colors.</summary>
    public bool IsErrorStyled { get; }

    /// <summary>The console of the current process.</summary>
    public static CliConsole FromSystemConsole() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>A Spectre.Console console on standard output: styled and interactive on a terminal, plain otherwise.</summary>
    public IAnsiConsole CreateOutputConsole() => Create(Output, IsOutputStyled);

    /// <summary>A Spectre.Console console on standard error: red errors on a terminal, plain otherwise.</summary>
    public IAnsiConsole CreateErrorConsole() => Create(Error, IsErrorStyled);

    /// <summary>Writes an error message (red on a terminal) to standard error. The text is not markup.</summary>
    public void WriteError(string message)
    {
        if (IsErrorStyled)
        {
            CreateErrorConsole().MarkupLineInterpolated($"[red]{message}[/]");
        }
        else
        {
            Error.WriteLine(message);
        }
    }

    private IAnsiConsole Create(TextWriter writer, bool styled)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = styled ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = styled ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = styled ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        if (!styled)
        {
            console.Profile.Width = int.TryParse(_getEnvironmentVariable("COLUMNS"), out var columns) && columns > 0
                ? columns
                : RedirectedWidth;
        }

        return console;
    }
}
