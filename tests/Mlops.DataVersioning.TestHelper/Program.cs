using Mlops.DataVersioning;

// Child processes for the safety tests, which kill them mid-write:
//   add-and-hang <repository> <path> <marker>: adds <path>; when the first bytes have been copied into the cache it
//     writes <marker> and hangs, holding the repository lock, until the test kills it.
//   checkout <repository> | pull <repository>: runs the verb; the test stalls it by serving an object through a FIFO.
switch (args)
{
    case ["add-and-hang", var repository, var path, var marker]:
        await DataRepository.Open(repository).AddAsync(path, new HangingProgress(marker));
        return 0;
    case ["checkout", var repository]:
        await DataRepository.Open(repository).CheckoutAsync();
        return 0;
    case ["pull", var repository]:
        await DataRepository.Open(repository).PullAsync();
        return 0;
    default:
        Console.Error.WriteLine("usage: add-and-hang <repository> <path> <marker> | checkout <repository> | pull <repository>");
        return 2;
}

internal sealed class HangingProgress(string marker) : IProgress<DataProgress>
{
    public void Report(DataProgress value)
    {
        if (value.Bytes > 0)
        {
            File.WriteAllText(marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
