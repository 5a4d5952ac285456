/**
 * hyperv-wsman/emulator: an emulated Hyper-V host speaking WinRM (WS-Management over HTTP/HTTPS)
 * on loopback, with Hyper-V job classes, GetError/GetErrorEx returning CIM-XML Msvm_Error, WQL
 * enumeration, Basic, NTLM and Kerberos (with message encryption and channel binding; an in-memory KDC on request). For tests of automation
 * that would otherwise need a real Hyper-V server.
 */
export {
  startEmulatedHost,
  DEFAULT_USER,
  DEFAULT_PASSWORD,
  DEFAULT_COMPUTER_NAME,
  DEFAULT_MAX_ENVELOPE_SIZE,
  type EmulatedHost,
  type EmulatedHostOptions,
  type EmulatorRequestRecord,
} from './server.js';
export { JobModel, JOB_STATE, isTerminalJobState, type JobFixture, type VmFixture, type JobClassName, type MsvmErrorFixture, type NullErrorForm } from './model.js';
export { DEFAULT_JOBS, DEFAULT_VMS, FIXTURE_JOB_IDS, FIXTURE_VMS, STARTED_JOB_STEPS, liveMigrationError, startedMigrationJob, startedResizeJob } from './fixtures.js';
export { generateTestCertificates, CertificateGenerationError, type TestCertificates, type TestCertificateOptions } from './tls.js';
export { writeCimXmlInstance, msvmErrorCimXml, type CimXmlProperty, type CimXmlType, type MsvmErrorXmlOptions } from './cim-xml-writer.js';
export { parseWql, WqlSyntaxError, type WqlQuery, type WqlCondition } from './wql.js';
export type { CbtHardeningLevel } from './auth.js';
export type { EmulatedHostKerberos, EmulatorKerberosOptions } from './kerberos-setup.js';
export type { DelegatedCredential } from './kerberos-auth.js';
export type { EmulatorDialect } from './dialect.js';
