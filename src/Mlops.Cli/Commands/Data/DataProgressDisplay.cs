using Mlops.DataVersioning;
using Spectre.Console;

namespace Mlops.Cli.Commands.Data;

/// <summary>
/// Shows a long operation's <see cref="DataProgress"/> as live progress bars, one per operation ("hash", "push", …),
/// only when standard output is a styled terminal; redirected output gets no progress at all, only the summary.
/// </summary>
internal static class DataProgressDisplay
{
    public static async Task<T> RunAsync<T>(CliConsole console, Func<IProgress<DataProgress>?, Task<T>> work)
    {
        if (!console.IsOutputStyled)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await console.CreateOutputConsole()
            .Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(context => work(new Reporter(context)))
            .ConfigureAwait(false);
    }

    // The library reports from its transfer workers in parallel, so updates are serialised here.
    private sealed class Reporter(ProgressContext context) : IProgress<DataProgress>
    {
        private const int PathWidth = 40;
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public void Report(DataProgress value)
        {
            lock (_gate)
            {
                if (!_tasks.TryGetValue(value.Operation, out var task))
                {
                    task = context.AddTask(Markup.Escape(value.Operation));
                    _tasks.Add(value.Operation, task);
                }

                if (value.Total > 0)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = value.Total;
                    task.Value = Math.Min(value.Completed, value.Total);
                }
                else
                {
                    task.IsIndeterminate = true;
                }

                var path = value.Path is { Length: > PathWidth } p ? "…" + p[^(PathWidth - 1)..] : value.Path;
                task.Description = Markup.Escape(path is null ? value.Operation : $"{value.Operation} {path}");
            }
        }
    }
}
