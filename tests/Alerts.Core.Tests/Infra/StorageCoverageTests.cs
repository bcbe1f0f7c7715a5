using System.Text.RegularExpressions;
using Alerts.Core.Storage;

namespace Alerts.Core.Tests.Infra;

/// <summary>
/// Every queue and table the code uses is created by infra/modules/storage.bicep, and the app's identity holds
/// data roles on the whole account (which covers each of them, including "-poison" queues).
/// </summary>
public class StorageCoverageTests
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    public static TheoryData<string> Queues => new(QueueNames.All);

    public static TheoryData<string> Tables => new(TableNames.All);

    [Theory]
    [MemberData(nameof(Queues))]
    public void Queue_is_declared_in_the_storage_module(string queue) =>
        Assert.Contains(queue, ListedNames("queueNames"));

    [Theory]
    [MemberData(nameof(Tables))]
    public void Table_is_declared_in_the_storage_module(string table) =>
        Assert.Contains(table, ListedNames("tableNames"));

    [Fact]
    public void Poison_queues_and_the_index_snapshot_container_are_declared()
    {
        var storage = InfraFiles.ReadInfra("modules/storage.bicep");
        // The suffix must match QueueNames.Poison, which is the host's naming convention.
        Assert.Equal("x-poison", QueueNames.Poison("x"));
        Assert.Contains("map(queueNames, q => '${q}-poison')", storage);
        Assert.Contains("index-snapshots", ListedNamesIn(storage, "blobContainerNames"));
    }

    [Fact]
    public void Storage_account_allows_only_entra_id_over_tls12()
    {
        var storage = InfraFiles.ReadInfra("modules/storage.bicep");
        Assert.Contains("allowSharedKeyAccess: false", storage);
        Assert.Contains("allowBlobPublicAccess: false", storage);
        Assert.Contains("minimumTlsVersion: 'TLS1_2'", storage);
    }

    [Theory]
    [InlineData(BlobDataOwner)]
    [InlineData(QueueDataContributor)]
    [InlineData(TableDataContributor)]
    public void App_identity_has_the_data_role_on_the_storage_account(string roleId)
    {
        var rbac = InfraFiles.ReadInfra("modules/rbac.bicep");
        Assert.Contains($"'{roleId}'", Block(rbac, "var storageRoleIds = {"));
        var assignment = Block(rbac, "resource appStorageRoles ");
        Assert.Contains("for role in items(storageRoleIds)", assignment);
        Assert.Contains("scope: storage", assignment);
        Assert.Contains("principalId: appPrincipalId", assignment);
        Assert.Contains("principalType: 'ServicePrincipal'", assignment);
        AssertRolesGoToTheAppIdentity();
    }

    [Theory]
    [InlineData("appSecretsUser", KeyVaultSecretsUser, "scope: vault")]
    [InlineData("appMetricsPublisher", MonitoringMetricsPublisher, "scope: applicationInsights")]
    public void App_identity_can_read_secrets_and_publish_telemetry(string resource, string roleId, string scope)
    {
        var rbac = InfraFiles.ReadInfra("modules/rbac.bicep");
        Assert.Contains($"'{roleId}'", rbac);
        var assignment = Block(rbac, $"resource {resource} ");
        Assert.Contains(scope, assignment);
        Assert.Contains("principalId: appPrincipalId", assignment);
        AssertRolesGoToTheAppIdentity();
    }

    // The identity given roles in rbac.bicep must be the one the app runs as.
    private static void AssertRolesGoToTheAppIdentity()
    {
        var main = InfraFiles.ReadInfra("main.bicep");
        Assert.Contains("appPrincipalId: identity.outputs.principalId", Block(main, "module rbac "));
        var app = Block(main, "module functionApp ");
        Assert.Contains("identityId: identity.outputs.id", app);
        Assert.Contains("identityClientId: identity.outputs.clientId", app);
    }

    private static IReadOnlyList<string> ListedNames(string variable) =>
        ListedNamesIn(InfraFiles.ReadInfra("modules/storage.bicep"), variable);

    /// <summary>The quoted literals of a Bicep array variable, e.g. <c>var queueNames = [ 'a' 'b' ]</c>.</summary>
    private static IReadOnlyList<string> ListedNamesIn(string bicep, string variable)
    {
        var array = Regex.Match(bicep, $@"var {variable} = \[(?<items>[^\]]*)\]");
        Assert.True(array.Success, $"storage.bicep has no array variable {variable}.");
        return Regex.Matches(array.Groups["items"].Value, "'(?<name>[^']+)'").Select(m => m.Groups["name"].Value).ToList();
    }

    /// <summary>Text from a line starting with <paramref name="start"/> to its matching closing brace.</summary>
    private static string Block(string bicep, string start)
    {
        var index = bicep.IndexOf(start, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{start}' not found.");
        var depth = 0;
        for (var i = bicep.IndexOf('{', index); i < bicep.Length; i++)
        {
            depth += bicep[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
                return bicep[index..(i + 1)];
        }
        throw new InvalidOperationException($"Unbalanced braces after '{start}'.");
    }
}
