// Optional (main.bicep parameter acsEmailEnabled): Azure Communication Services Email as the SMTP relay, which is
// the documented production choice. Creates the Email Communication Service with one domain, the Communication
// Service it is linked to, an SMTP username for an Entra application (its client secret is the SMTP password), and the
// role that lets that application send. The Entra application itself is created outside Bicep (see README
// "Email through Azure Communication Services").
param emailServiceName string
param communicationServiceName string
param tags object

@description('Where ACS keeps its data at rest, e.g. Europe or United States.')
param dataLocation string

@description('A custom domain to verify with the DNS records ACS shows (SPF, DKIM, DMARC); empty uses an Azure-managed domain (DoNotReply@<guid>.azurecomm.net, trials only: its limits are much lower).')
param customDomainName string

@description('Application (client) id of the Entra application that authenticates to smtp.azurecomm.net.')
param smtpEntraApplicationId string

@description('Object id of that application\'s service principal; it gets the sending role on the Communication Service.')
param smtpEntraPrincipalId string

@description('The SMTP user name the app logs in with (Smtp__UserName).')
param smtpUserName string

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource domain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: empty(customDomainName) ? 'AzureManagedDomain' : customDomainName
  location: 'global'
  tags: tags
  properties: {
    domainManagement: empty(customDomainName) ? 'AzureManaged' : 'CustomerManaged'
    // Digests carry their own links; ACS must not rewrite them for tracking.
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      domain.id
    ]
  }
}

resource smtpUsername 'Microsoft.Communication/communicationServices/smtpUsernames@2025-09-01' = {
  parent: communicationService
  name: 'alerts'
  properties: {
    username: smtpUserName
    entraApplicationId: smtpEntraApplicationId
    tenantId: tenant().tenantId
  }
}

// The least the SMTP relay needs (ACS "SMTP authentication" doc): read and write on the Communication Service and
// write on Email Services, scoped to this resource group.
resource smtpSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'alerts-acs-smtp-sender')
  properties: {
    roleName: 'Alerts ACS SMTP sender (${resourceGroup().name})'
    description: 'Send email through the Azure Communication Services SMTP relay.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource smtpSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, smtpEntraPrincipalId, smtpSenderRole.id)
  scope: communicationService
  properties: {
    roleDefinitionId: smtpSenderRole.id
    principalId: smtpEntraPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The domain to send from: DoNotReply@<this> for an Azure-managed domain, any address on a verified custom domain.')
output mailFromSenderDomain string = domain.properties.mailFromSenderDomain
