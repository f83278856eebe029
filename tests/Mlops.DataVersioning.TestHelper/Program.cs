using Mlops.DataVersioning;

// Usage: add-and-hang <repository> <path> <marker>
// Adds <path>; when the first bytes have been copied into the cache it writes <marker> and hangs,
// holding the repository lock, until the test kills it.
if (args.Length != 4 || args[0] != "add-and-hang")
{
    Console.Error.WriteLine("usage: add-and-hang <repository> <path> <marker>");
    return 2;
}

var repository = DataRepository.Open(args[1]);
await repository.AddAsync(args[2], new HangingProgress(args[3]));
return 0;

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
