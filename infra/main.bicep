// Alerts on Azure: one resource group with a Flex Consumption function app, its storage account,
// Key Vault, monitoring and a user-assigned identity. Deployed by `azd up` (see README "Deploy to Azure").
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags are derived from it.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer Flex Consumption with .NET 10 (az functionapp list-flexconsumption-runtimes).')
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID); gets data and Key Vault access. Empty skips it.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('What principalId is: User for a person at a terminal, ServicePrincipal for CI (a federated or secret-based app), Group for an Entra group.')
param principalType string = 'User'

@description('Where feed health emails go (one when a feed stays broken, one when it recovers); comma-separated; empty sends none.')
param adminAlertEmail string = ''

@description('Name of the Key Vault. Empty (first provision, or after `azd down`): a new globally unique name. azd keeps it in AZURE_KEY_VAULT_NAME.')
param keyVaultName string = ''

// A soft-deleted vault keeps its name (purge protection: 7 days), so a name derived only from the environment would
// collide after `azd down`. The salt makes each new vault's name new; the name then stays stable through
// AZURE_KEY_VAULT_NAME, which the postdown hook in azure.yaml clears.
param keyVaultNameSalt string = newGuid()

@description('From address of the emails; must be on a domain the SMTP provider lets you send from.')
param smtpFromAddress string

@description('Display name on the From line and product name in pages.')
param siteName string = 'Alerts'

@description('SMTP relay, e.g. smtp.azurecomm.net (Azure Communication Services) or smtp.sendgrid.net.')
param smtpHost string

// Strings, not ints: azd substitutes environment variables into main.parameters.json as text.
@description('SMTP port; 587 with STARTTLS for ACS and SendGrid (port 25 is blocked from Azure).')
param smtpPort string = '587'

@allowed(['None', 'StartTls', 'SslOnConnect', 'Auto'])
param smtpSecurity string = 'StartTls'

@description('SMTP user name (ACS: the SMTP Username resource; SendGrid: the literal "apikey").')
param smtpUserName string

@secure()
@description('SMTP password or API key, written to Key Vault. Empty keeps the secret already in the vault.')
param smtpPassword string = ''

@description('Address for mailto: unsubscribes, e.g. unsubscribe@alerts.example.org. Used only with unsubscribeMailboxImapHost.')
param unsubscribeMailboxAddress string = ''

@description('IMAP host of that mailbox (993, TLS). Empty: no mailto: in List-Unsubscribe and nothing reads a mailbox.')
param unsubscribeMailboxImapHost string = ''

@description('IMAP user name of the unsubscribe mailbox.')
param unsubscribeMailboxImapUserName string = ''

@secure()
@description('IMAP password of the unsubscribe mailbox, written to Key Vault. Empty keeps the secret already in the vault.')
param unsubscribeMailboxPassword string = ''

@secure()
@description('Link-signing key (32+ characters). Shorter or empty: a new random key is generated.')
param tokenSigningKey string = ''

@secure()
@description('Previous link-signing keys, comma-separated. Shorter than 32 characters: replaced by an unguessable placeholder.')
param tokenPreviousSigningKeys string = ''

// newGuid() is only allowed in parameter defaults; these are the fallbacks for the keys above.
@secure()
param generatedTokenSigningKey string = '${newGuid()}${newGuid()}'
@secure()
param generatedPreviousSigningKeys string = '${newGuid()}${newGuid()}'

@allowed(['true', 'false'])
@description('Create Azure Communication Services Email (modules/communication-email.bicep) as the SMTP relay.')
param acsEmailEnabled string = 'false'

@description('ACS data location (Europe, United States, ...).')
param acsDataLocation string = 'Europe'

@description('Custom sending domain for ACS; empty uses an Azure-managed azurecomm.net domain (trials only).')
param acsCustomDomainName string = ''

@description('Application (client) id of the Entra app that logs in to smtp.azurecomm.net.')
param acsSmtpEntraApplicationId string = ''

@description('Object id of that app\'s service principal (gets the sending role).')
param acsSmtpEntraPrincipalId string = ''

@description('Public base URL for links in emails, e.g. https://alerts.example.org. Empty: the app\'s azurewebsites.net URL.')
param publicBaseUrl string = ''

@description('Flex Consumption scale-out limit; caps cost and the load on feed publishers and the SMTP relay.')
param maximumInstanceCount string = '40'

@allowed(['512', '2048', '4096'])
@description('Memory per Flex Consumption instance in MB.')
param instanceMemoryMB string = '2048'

@description('HTTP requests one instance serves at once (Flex default for 2,048 MB is 16); the HTTP functions scale as one group on it.')
param httpPerInstanceConcurrency string = '16'

@description('Emails per minute for all instances together (0: no limit). 30 is Azure Communication Services\' default for a custom domain.')
param sendRatePerMinute string = '30'

@description('Emails per hour for all instances together (0: no limit). 100 is Azure Communication Services\' default for a custom domain.')
param sendRatePerHour string = '100'

@description('When the poller enqueues due feeds (6-field NCRONTAB, UTC).')
param pollSchedule string = '0 */1 * * * *'

@description('When due digests are enqueued (6-field NCRONTAB, UTC).')
param digestSchedule string = '30 */1 * * * *'

@description('When the unsubscribe mailbox is read (6-field NCRONTAB, UTC); a no-op while no IMAP host is set.')
param unsubscribeMailboxSchedule string = '15 */1 * * * *'

@description('When the subscription snapshot is written, by one instance (6-field NCRONTAB, UTC); matchers load it.')
param indexSnapshotSchedule string = '45 */15 * * * *'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
// Flex Consumption deploys from this container; the name must be unique per app and at most 63 characters.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    // 'kv-' + 13 + '-' + 4 = 21 characters (Key Vault allows 3-24, alphanumerics and hyphens).
    name: empty(keyVaultName) ? 'kv-${resourceToken}-${take(uniqueString(keyVaultNameSalt), 4)}' : keyVaultName
    location: location
    tags: tags
    smtpPassword: smtpPassword
    unsubscribeMailboxPassword: unsubscribeMailboxPassword
    tokenSigningKey: length(tokenSigningKey) >= 32 ? tokenSigningKey : generatedTokenSigningKey
    tokenPreviousSigningKeys: length(tokenPreviousSigningKeys) >= 32 ? tokenPreviousSigningKeys : generatedPreviousSigningKeys
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The app starts resolving Key Vault references and reading storage as soon as it exists.
  dependsOn: [rbac]
  params: {
    planName: 'plan-${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerName: deploymentContainerName
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: int(maximumInstanceCount)
    instanceMemoryMB: int(instanceMemoryMB)
    httpPerInstanceConcurrency: int(httpPerInstanceConcurrency)
    sendRatePerMinute: int(sendRatePerMinute)
    sendRatePerHour: int(sendRatePerHour)
    pollSchedule: pollSchedule
    digestSchedule: digestSchedule
    unsubscribeMailboxSchedule: unsubscribeMailboxSchedule
    indexSnapshotSchedule: indexSnapshotSchedule
    publicBaseUrl: publicBaseUrl
    siteName: siteName
    smtpHost: smtpHost
    smtpPort: int(smtpPort)
    smtpUserName: smtpUserName
    smtpSecurity: smtpSecurity
    smtpFromAddress: smtpFromAddress
    smtpFromName: siteName
    smtpSecretUri: keyVault.outputs.smtpSecretUri
    unsubscribeMailboxAddress: unsubscribeMailboxAddress
    unsubscribeMailboxImapHost: unsubscribeMailboxImapHost
    unsubscribeMailboxImapUserName: unsubscribeMailboxImapUserName
    unsubscribeMailboxSecretUri: keyVault.outputs.unsubscribeMailboxSecretUri
    tokenSigningKeySecretUri: keyVault.outputs.tokenSigningKeySecretUri
    tokenPreviousSigningKeysSecretUri: keyVault.outputs.tokenPreviousSigningKeysSecretUri
    adminAlertEmail: adminAlertEmail
  }
}

module email 'modules/communication-email.bicep' = if (acsEmailEnabled == 'true') {
  name: 'communication-email'
  scope: rg
  params: {
    emailServiceName: 'ecs-${resourceToken}'
    communicationServiceName: 'acs-${resourceToken}'
    tags: tags
    dataLocation: acsDataLocation
    customDomainName: acsCustomDomainName
    smtpEntraApplicationId: acsSmtpEntraApplicationId
    smtpEntraPrincipalId: acsSmtpEntraPrincipalId
    smtpUserName: smtpUserName
  }
}

// azd stores these in .azure/<env>/.env; main.parameters.json reads AZURE_KEY_VAULT_NAME back.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output PUBLIC_BASE_URL string = functionApp.outputs.publicBaseUrl
output ACS_MAIL_FROM_DOMAIN string = acsEmailEnabled == 'true' ? email!.outputs.mailFromSenderDomain : ''
