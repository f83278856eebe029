// The tests use POSIX file modes, inodes, hard and symbolic links: they run on Linux (CI and developers alike).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
