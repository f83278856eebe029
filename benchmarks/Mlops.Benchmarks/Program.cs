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
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(HashingBenchmarks).Assembly).Run(args);
    return 0;
}
