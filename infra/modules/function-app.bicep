// Flex Consumption plan + the function app, with every app setting the code reads.
// The settings object below is the single list that tests/Alerts.Core.Tests/Infra compares with the code,
// local.settings.sample.json and the README; keep one `Name: value` per line between the markers.
@description('Where feed health emails go (broken for a day, recovered); empty sends none.')
param adminAlertEmail string

param planName string
param appName string
param location string
param tags object

param identityId string
param identityClientId string

param deploymentContainerName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

param applicationInsightsConnectionString string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('512, 2048 or 4096; validated in main.bicep.')
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
@description('HTTP requests per instance; the HTTP functions scale out as one group when it is reached.')
param httpPerInstanceConcurrency int

@minValue(0)
@description('Emails per minute across all instances (SendRate__PerMinute); 0 is no limit.')
param sendRatePerMinute int
@minValue(0)
@description('Emails per hour across all instances (SendRate__PerHour); 0 is no limit.')
param sendRatePerHour int

@description('6-field NCRONTAB, UTC.')
param pollSchedule string
@description('6-field NCRONTAB, UTC.')
param digestSchedule string
@description('6-field NCRONTAB, UTC.')
param unsubscribeMailboxSchedule string
@description('6-field NCRONTAB, UTC: the one writer of the subscription snapshot (and the due-index repair).')
param indexSnapshotSchedule string

@description('Public base URL for links in emails; empty uses the app\'s default *.azurewebsites.net host name.')
param publicBaseUrl string
param siteName string

param smtpHost string
param smtpPort int
param smtpUserName string
@allowed(['None', 'StartTls', 'SslOnConnect', 'Auto'])
param smtpSecurity string
param smtpFromAddress string
param smtpFromName string

param smtpSecretUri string

@description('Address in the mailto: of List-Unsubscribe; with an empty IMAP host the mailto is left out.')
param unsubscribeMailboxAddress string
param unsubscribeMailboxImapHost string
param unsubscribeMailboxImapUserName string
param unsubscribeMailboxSecretUri string
param tokenSigningKeySecretUri string
param tokenPreviousSigningKeysSecretUri string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd finds the app to deploy the "functions" service to by this tag.
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Without this, Key Vault references resolve with the (absent) system identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      // Only properties Flex Consumption accepts: ftpsState, linuxFxVersion, alwaysOn and the other App Service
      // knobs are rejected (ARM error 51021) or ignored; FTP is off through basicPublishingCredentialsPolicies below.
      // tests/Alerts.Core.Tests/Infra/FlexSiteConfigTests keeps it that way.
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      // Flex scales per function: the HTTP functions as one group, each queue and timer function on its own instances,
      // each group up to maximumInstanceCount. The limits that must not multiply with instances (per-host politeness,
      // the send rate, the subscribe limits) are kept in storage, so this cap is about cost, not correctness.
      // tests/Alerts.Core.Tests/Infra/FlexScalingTests ties these to the settings.
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      // Flex takes the worker runtime from here; FUNCTIONS_WORKER_RUNTIME must not be set.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Disables basic (publishing-profile) auth; azd deploys with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

var effectivePublicBaseUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // app-settings:start
    // Functions host and the app's own clients (AlertsStorage.FromConfiguration): identity-based storage.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    // DefaultAzureCredential picks the user-assigned identity only when told its client id.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    // Local auth is disabled on Application Insights: the host sends telemetry with the identity.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    PollSchedule: pollSchedule
    DigestSchedule: digestSchedule
    UnsubscribeMailboxSchedule: unsubscribeMailboxSchedule
    IndexSnapshotSchedule: indexSnapshotSchedule
    DeliverySweepSchedule: '45 */5 * * * *'
    Site__PublicBaseUrl: effectivePublicBaseUrl
    Site__Name: siteName
    Smtp__Host: smtpHost
    Smtp__Port: string(smtpPort)
    Smtp__UserName: smtpUserName
    Smtp__Password: '@Microsoft.KeyVault(SecretUri=${smtpSecretUri})'
    Smtp__Security: smtpSecurity
    Smtp__FromAddress: smtpFromAddress
    Smtp__FromName: smtpFromName
    Smtp__ListIdDomain: ''
    Smtp__UnsubscribeMailbox: unsubscribeMailboxAddress
    Smtp__Timeout: '00:01:00'
    Delivery__ClaimLease: '00:15:00'
    Delivery__RecordFor: '00:10:00'
    Delivery__RetryInitialDelay: '00:00:30'
    Delivery__RetryMaxDelay: '02:00:00'
    Delivery__InstantWorthFor: '1.00:00:00'
    Delivery__HardBouncesToSuppress: '3'
    Delivery__OutageAlertAfter: '00:15:00'
    Delivery__InstantGatherFor: '00:00:05'
    Delivery__SweepAfter: '00:30:00'
    SendRate__PerMinute: string(sendRatePerMinute)
    SendRate__PerHour: string(sendRatePerHour)
    Health__Timeout: '00:00:01'
    Health__MaxQueueAge: '00:15:00'
    UnsubscribeMailbox__ImapHost: unsubscribeMailboxImapHost
    UnsubscribeMailbox__ImapPort: '993'
    UnsubscribeMailbox__Security: 'SslOnConnect'
    UnsubscribeMailbox__UserName: unsubscribeMailboxImapUserName
    UnsubscribeMailbox__Password: '@Microsoft.KeyVault(SecretUri=${unsubscribeMailboxSecretUri})'
    UnsubscribeMailbox__Folder: 'INBOX'
    UnsubscribeMailbox__MaxMessagesPerRun: '200'
    UnsubscribeMailbox__Timeout: '00:01:00'
    Tokens__SigningKey: '@Microsoft.KeyVault(SecretUri=${tokenSigningKeySecretUri})'
    Tokens__PreviousSigningKeys: '@Microsoft.KeyVault(SecretUri=${tokenPreviousSigningKeysSecretUri})'
    Tokens__ConfirmationLifetime: '2.00:00:00'
    Tokens__LinkLifetime: '365.00:00:00'
    // Empty in Azure: the Functions host checks its own keys on the admin routes (AuthorizationLevel.Function,
    // `az functionapp keys list`), and AdminKey then has nothing more to compare. A key here would make every
    // admin call need a host key that also equals it, i.e. 401.
    Admin__ApiKey: ''
    Admin__AlertEmail: adminAlertEmail
    Admin__BrokenFeedAlertAfter: '1.00:00:00'
    // An honest, contactable User-Agent: publishers can reach the operator through the site.
    Feeds__UserAgent: 'Alerts/1.0 (+${effectivePublicBaseUrl}; feed fetcher)'
    Feeds__Timeout: '00:00:20'
    Feeds__MaxResponseBytes: '5242880'
    Feeds__MaxRedirects: '5'
    Feeds__MaxPageBytes: '2097152'
    Feeds__DefaultPollInterval: '00:15:00'
    Feeds__MaxItemsPerFetch: '200'
    Feeds__ParseTimeBudget: '00:00:05'
    Feeds__FetchLease: '00:10:00'
    Feeds__MaxBackoff: '1.00:00:00'
    Feeds__MinPollInterval: '00:05:00'
    Feeds__MaxPollInterval: '1.00:00:00'
    Feeds__MaxConcurrentPerHost: '2'
    Feeds__MinHostGap: '00:00:00.250'
    Feeds__FeedsPerMessage: '10'
    // SSRF guard: feeds on loopback or private addresses are refused in Azure.
    Feeds__AllowLoopback: 'false'
    Feeds__AllowPrivateNetworks: 'false'
    Feeds__DeletedFeedRetention: '30.00:00:00'
    Matching__IndexRefreshInterval: '00:00:30'
    Matching__SnapshotInterval: '00:15:00'
    Matching__ChangeLogRetention: '2.00:00:00'
    SubscribeLimits__PerClientPerHour: '20'
    SubscribeLimits__PerAddressPerDay: '5'
    SubscribeLimits__PreviewsPerClientPerMinute: '60'
    // app-settings:end
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output publicBaseUrl string = effectivePublicBaseUrl
