export {
  applyProvisioning,
  ProvisioningError,
  reportKinds,
  type ApplyOptions,
  type ProvisioningReport,
  type ReportKind,
} from './apply-provisioning.ts';
export { loadProvisioningFile } from './load-provisioning-file.ts';
export { validateProvisioning, type ValidationResult } from './validate-provisioning.ts';
export {
  provisioningDocument,
  type ProvisioningDocument,
  type ProvisioningInput,
  formatPath,
} from './schema.ts';
// The REST API checks these settings and objects with the same rules and messages.
export {
  voicemail as voicemailSettingsSchema,
  incomingCallNotice as incomingCallNoticeSchema,
  phoneNumber as phoneNumberSchema,
  operatorNumber as operatorNumberSchema,
  accessLineCode as accessLineCodeSchema,
  siteCode as siteCodeSchema,
  voiceGroupCode as voiceGroupCodeSchema,
  timeZone as timeZoneSchema,
  subscription as subscriptionSchema,
  checkSubscriptions,
} from './schema.ts';
export { provisioningJsonSchema } from './json-schema.ts';
export { queueTestMail } from './test-mail.ts';
