using System.Text;
using Mlops.Core.Git;

namespace Mlops.Core.Tests;

public sealed class GitRepositoryTests : IDisposable
{
    private readonly GitFixture _git = new();
    private readonly string _first;
    private readonly string _second;

    public GitRepositoryTests()
    {
        _git.WriteFile("data/auto-mpg.csv.dvc", "v1");
        _git.WriteFile("README.md", "readme");
        _git.WriteFile("src/train.sh", "#!/bin/sh");
        _first = _git.Commit("first");
        _git.Git("tag", "v1");
        _git.Git("tag", "-a", "v1-annotated", "-m", "annotated");
        _git.WriteFile("data/auto-mpg.csv.dvc", "v2");
        _second = _git.Commit("second");
        _git.Git("branch", "feature", _first);
    }

    public void Dispose() => _git.Dispose();

    [Theory]
    [InlineData("HEAD", false)]
    [InlineData("main", false)]
    [InlineData("HEAD~1", true)]
    [InlineData("v1", true)]
    [InlineData("v1-annotated", true)]
    [InlineData("feature", true)]
    public void Resolves_branches_tags_and_expressions(string revision, bool isFirst)
    {
        using var repository = GitRepository.Open(_git.Path);

        Assert.Equal(isFirst ? _first : _second, repository.ResolveCommit(revision));
    }

    [Fact]
    public void Resolves_full_and_short_shas()
    {
        using var repository = GitRepository.Open(_git.Path);

        Assert.Equal(_first, repository.ResolveCommit(_first));
        Assert.Equal(_first, repository.ResolveCommit(_first[..7]));
    }

    [Fact]
    public void Unknown_revision_is_a_clear_error()
    {
        using var repository = GitRepository.Open(_git.Path);

        var error = Assert.Throws<GitException>(() => repository.ResolveCommit("no-such-branch"));

        Assert.Contains("no-such-branch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_a_file_as_it_was_at_each_revision()
    {
        using var repository = GitRepository.Open(_git.Path);

        Assert.Equal("v1", Encoding.UTF8.GetString(repository.ReadFile("v1", "data/auto-mpg.csv.dvc")!));
        Assert.Equal("v2", Encoding.UTF8.GetString(repository.ReadFile("HEAD", "data/auto-mpg.csv.dvc")!));
        Assert.Null(repository.ReadFile("HEAD", "data/missing.dvc"));
        Assert.Throws<GitException>(() => repository.ReadFile("HEAD", "data"));
    }

    [Fact]
    public void Opening_from_a_subfolder_finds_the_repository()
    {
        using var repository = GitRepository.Open(Path.Combine(_git.Path, "data"));

        Assert.Equal(Path.GetFullPath(_git.Path), repository.WorkingDirectory);
    }

    [Fact]
    public void Lists_a_tree_one_level_or_recursively()
    {
        using var repository = GitRepository.Open(_git.Path);

        var top = repository.ListTree("HEAD");
        Assert.Equal(["README.md", "data", "src"], top.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(GitEntryKind.Directory, top.Single(e => e.Path == "data").Kind);

        var all = repository.ListTree("v1", recursive: true);
        Assert.Equal(["README.md", "data/auto-mpg.csv.dvc", "src/train.sh"], all.Select(e => e.Path).Order(StringComparer.Ordinal));

        Assert.Equal(["data/auto-mpg.csv.dvc"], repository.ListTree("HEAD", "data").Select(e => e.Path));
        Assert.Throws<GitException>(() => repository.ListTree("HEAD", "nope"));
    }

    [Fact]
    public void Head_reports_commit_branch_and_dirty_state()
    {
        using (var repository = GitRepository.Open(_git.Path))
        {
            Assert.Equal(new GitHeadInfo(_second, "main", IsDirty: false, RemoteUrl: null), repository.GetHead());
        }

        _git.WriteFile("untracked.txt", "untracked files do not make the tree dirty");
        using (var repository = GitRepository.Open(_git.Path))
        {
            Assert.False(repository.GetHead().IsDirty);
        }

        _git.WriteFile("README.md", "changed");
        _git.Git("remote", "add", "origin", "https://example.invalid/repo.git");
        using (var repository = GitRepository.Open(_git.Path))
        {
            var head = repository.GetHead();
            Assert.True(head.IsDirty);
            Assert.Equal("https://example.invalid/repo.git", head.RemoteUrl);
        }
    }

    [Fact]
    public void Detached_head_has_no_branch()
    {
        _git.Git("checkout", "-q", "--detach", "v1");
        using var repository = GitRepository.Open(_git.Path);

        Assert.Null(repository.GetHead().Branch);
        Assert.Equal(_first, repository.GetHead().Commit);
    }

    [Fact]
    public void Lists_branches_and_tags_and_knows_what_is_tracked()
    {
        using var repository = GitRepository.Open(_git.Path);

        Assert.Equal(["feature", "main"], repository.ListBranches().Order(StringComparer.Ordinal));
        Assert.Equal(["v1", "v1-annotated"], repository.ListTags().Order(StringComparer.Ordinal));
        Assert.True(repository.IsTracked("data/auto-mpg.csv.dvc"));
        Assert.False(repository.IsTracked("data/auto-mpg.csv"));
    }

    [Fact]
    public void Which_tracked_answers_for_many_paths_whether_the_index_is_smaller_or_larger()
    {
        using var repository = GitRepository.Open(_git.Path);
        var few = new[] { "data/auto-mpg.csv", "data/auto-mpg.csv.dvc" };
        var many = Enumerable.Range(0, 50).Select(i => $"data/part-{i}.csv").Append("data/auto-mpg.csv.dvc").Prepend("data\\auto-mpg.csv.dvc").ToList();

        Assert.Equal(["data/auto-mpg.csv.dvc"], repository.WhichTracked(few));
        Assert.Equal(["data\\auto-mpg.csv.dvc", "data/auto-mpg.csv.dvc"], repository.WhichTracked(many));
        Assert.Equal(many.Where(repository.IsTracked), repository.WhichTracked(many));
    }

    [Fact]
    public void A_folder_outside_any_repository_is_a_clear_error()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<GitException>(() => GitRepository.Open(temp.Path));

        Assert.Contains(temp.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("git init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repository_without_commits_is_a_clear_error()
    {
        using var empty = new GitFixture();
        using var repository = GitRepository.Open(empty.Path);

        Assert.Contains("no commits", Assert.Throws<GitException>(() => repository.GetHead()).Message, StringComparison.Ordinal);
        Assert.Contains("no commits", Assert.Throws<GitException>(() => repository.ResolveCommit("HEAD")).Message, StringComparison.Ordinal);
    }
}
