// The one storage account: Functions host state, the deployment package, the pipeline queues,
// the app's tables and the matching-index snapshots. Keys are disabled; everything uses Entra ID.
param name string
param location string
param tags object

@description('Blob container that Flex Consumption deploys the app package from.')
param deploymentContainerName string

// Mirrors functions/Alerts.Core/Storage/StorageNames.cs (QueueNames.All, TableNames.All);
// tests/Alerts.Core.Tests/Infra checks that the two lists agree.
var queueNames = [
  'feed-fetch'
  'article-match'
  'digest-send'
  'subscribe-request'
  'manage-link-request'
]
var tableNames = [
  'Feeds'
  'Articles'
  'Subscriptions'
  'Matches'
  'Digests'
  'SubscriptionChanges'
  'RateLimits'
  'SubscriptionsByAddress'
  'DigestDue'
  'Deliveries'
  'PendingExpiry'
  'HostSlots'
  'SendRate'
]
var blobContainerNames = [
  deploymentContainerName
  'index-snapshots'
]

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for container in blobContainerNames: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

// The host creates "<queue>-poison" on first failure; declaring them up front lets alerts and the
// re-drive steps in the README work before anything has failed.
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queue in concat(queueNames, map(queueNames, q => '${q}-poison')): {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for table in tableNames: {
    parent: tableService
    name: table
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
