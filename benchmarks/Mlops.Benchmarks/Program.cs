using System.Globalization;
using BenchmarkDotNet.Running;
using Mlops.Benchmarks;

// --hash FILE | --make-tree DIR COUNT | --hash-tree DIR ROUNDS: the runner behind
// benchmarks/hash-vs-md5sum.sh. Anything else goes to BenchmarkDotNet (e.g. --filter '*').
return args switch
{
    ["--hash", var file] => HashRunner.HashOne(file),
    ["--make-tree", var root, var count] => HashRunner.MakeTree(root, int.Parse(count, CultureInfo.InvariantCulture)),
    ["--hash-tree", var root, var rounds] => await HashRunner.HashTree(root, int.Parse(rounds, CultureInfo.InvariantCulture)),
    ["--dv-add", var repo, var path] => await Mlops.Benchmarks.DataVersioning.DataVersioningRunner.Add(repo, path),
    ["--dv-status", var repo] => await Mlops.Benchmarks.DataVersioning.DataVersioningRunner.Status(repo),
    ["--dv-push", var repo, var kind, var target] => await Mlops.Benchmarks.DataVersioning.DataVersioningRunner.Push(repo, kind, target),
    ["--dv-pull", var repo, var kind, var target] => await Mlops.Benchmarks.DataVersioning.DataVersioningRunner.Pull(repo, kind, target),
    ["--tracking-log", var store, var runs, var steps] => await Mlops.Benchmarks.Tracking.TrackingRunner.Log(store, int.Parse(runs, CultureInfo.InvariantCulture), int.Parse(steps, CultureInfo.InvariantCulture)),
    ["--tracking-seed", var store, var runs] => await Mlops.Benchmarks.Tracking.TrackingRunner.Seed(store, int.Parse(runs, CultureInfo.InvariantCulture)),
    ["--tracking-search", var store, var rounds] => await Mlops.Benchmarks.Tracking.TrackingRunner.Search(store, int.Parse(rounds, CultureInfo.InvariantCulture)),
    ["--tracking-history", var store, var rounds] => await Mlops.Benchmarks.Tracking.TrackingRunner.History(store, int.Parse(rounds, CultureInfo.InvariantCulture)),
    ["--make-csv", var path, var rows, var seed] => Mlops.Benchmarks.Testing.TestingRunner.MakeCsv(path, int.Parse(rows, CultureInfo.InvariantCulture), int.Parse(seed, CultureInfo.InvariantCulture)),
    ["--make-csv", var path, var rows, var seed, var shift] => Mlops.Benchmarks.Testing.TestingRunner.MakeCsv(path, int.Parse(rows, CultureInfo.InvariantCulture), int.Parse(seed, CultureInfo.InvariantCulture), double.Parse(shift, CultureInfo.InvariantCulture)),
    ["--validate-csv", var path] => await Mlops.Benchmarks.Testing.TestingRunner.ValidateCsv(path),
    ["--first-run", var path] => await Mlops.Benchmarks.Testing.TestingRunner.FirstRun(path),
    ["--profile-csv", var path] => await Mlops.Benchmarks.Testing.TestingRunner.ProfileCsv(path),
    ["--drift", var reference, var current] => await Mlops.Benchmarks.Testing.TestingRunner.Drift(reference, current),
    ["--drift-memory", var reference, var current] => await Mlops.Benchmarks.Testing.TestingRunner.DriftInMemory(reference, current),
    ["--drift", var reference, var current, var columns] => await Mlops.Benchmarks.Testing.TestingRunner.Drift(reference, current, columns),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(HashingBenchmarks).Assembly).Run(args);
    return 0;
}
