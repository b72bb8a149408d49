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
// The REST API checks these settings with the same rules and messages.
export {
  voicemail as voicemailSettingsSchema,
  incomingCallNotice as incomingCallNoticeSchema,
} from './schema.ts';
export { provisioningJsonSchema } from './json-schema.ts';
export { queueTestMail } from './test-mail.ts';
