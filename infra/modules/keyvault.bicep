// Key Vault in RBAC mode for the app's secrets. The app reads them through Key Vault references
// (resolved by the platform with the user-assigned identity), so the values never sit in app settings.
param name string
param location string
param tags object

@secure()
@description('SMTP password or API key. Empty leaves the secret alone, so a value set directly in the vault survives re-provisioning.')
param smtpPassword string = ''

@secure()
@description('IMAP password of the unsubscribe mailbox. Empty leaves the secret alone, like smtpPassword.')
param unsubscribeMailboxPassword string = ''

@secure()
@description('HMAC key for the links in emails (Tokens__SigningKey).')
param tokenSigningKey string

@secure()
@description('Old signing keys still accepted after a rotation, comma-separated (Tokens__PreviousSigningKeys).')
param tokenPreviousSigningKeys string

// Secret names are shared with function-app.bicep and the README through these outputs.
var smtpPasswordSecretName = 'smtp-password'
var unsubscribeMailboxPasswordSecretName = 'unsubscribe-mailbox-password'
var tokenSigningKeySecretName = 'tokens-signing-key'
var tokenPreviousSigningKeysSecretName = 'tokens-previous-signing-keys'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // Nobody (not even `azd down --purge`) can destroy the link-signing keys early; the price is that a deleted
    // vault keeps its name for the 7 days above, so main.bicep gives every new vault a fresh name.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: smtpPasswordSecretName
  properties: {
    value: smtpPassword
  }
}

resource unsubscribeMailboxPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(unsubscribeMailboxPassword)) {
  parent: vault
  name: unsubscribeMailboxPasswordSecretName
  properties: {
    value: unsubscribeMailboxPassword
  }
}

resource tokenSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: tokenSigningKeySecretName
  properties: {
    value: tokenSigningKey
  }
}

resource tokenPreviousSigningKeysSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: tokenPreviousSigningKeysSecretName
  properties: {
    value: tokenPreviousSigningKeys
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
// Versionless URIs: a new secret version is picked up without redeploying.
output smtpSecretUri string = '${vault.properties.vaultUri}secrets/${smtpPasswordSecretName}'
output unsubscribeMailboxSecretUri string = '${vault.properties.vaultUri}secrets/${unsubscribeMailboxPasswordSecretName}'
output tokenSigningKeySecretUri string = '${vault.properties.vaultUri}secrets/${tokenSigningKeySecretName}'
output tokenPreviousSigningKeysSecretUri string = '${vault.properties.vaultUri}secrets/${tokenPreviousSigningKeysSecretName}'
