namespace Alerts.Core.Tests.Infrastructure;

public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Alerts.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Alerts.sln not found above " + AppContext.BaseDirectory);
    }
}
