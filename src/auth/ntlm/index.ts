/** NTLMv2 with session security and channel binding (MS-NLMP), sans-IO. */
export { md4 } from './md4.js';
export { Rc4, rc4k } from './rc4.js';
export { NegotiateFlags, CLIENT_NEGOTIATE_FLAGS, hasFlag, combineFlags, describeFlags, type NegotiateFlagName } from './flags.js';
export {
  AvId,
  AvFlags,
  MessageType,
  MIC_OFFSET,
  NTLMSSP_SIGNATURE,
  NTLMSSP_REVISION_W2K3,
  encodeAvPairs,
  decodeAvPairs,
  findAvPair,
  avPairString,
  avFlags,
  avStringPair,
  encodeNegotiate,
  decodeNegotiate,
  encodeChallenge,
  decodeChallenge,
  encodeAuthenticate,
  decodeAuthenticate,
  withZeroedMic,
  type AvPair,
  type NtlmVersion,
  type NegotiateMessage,
  type ChallengeMessage,
  type AuthenticateMessage,
} from './messages.js';
export {
  md5,
  hmacMd5,
  windowsUppercase,
  ntowfv1,
  ntowfv2,
  filetime,
  filetimeToDate,
  ntlmv2ClientChallenge,
  parseNtlmv2Response,
  ntProofStr,
  lmv2Response,
  sessionBaseKey,
  keyExchangeKey,
  computeMic,
  NTLMV1_RESPONSE_LENGTH,
  type ParsedNtlmv2Response,
} from './ntlmv2.js';
export { createNtlmSession, signingKey, sealingKey, SIGNATURE_LENGTH, type NtlmSession, type NtlmRole } from './session-security.js';
export {
  TLS_SERVER_END_POINT_PREFIX,
  tlsServerEndPointHash,
  tlsServerEndPointHashAlgorithm,
  channelBindingApplicationData,
  gssChannelBindingsStruct,
  channelBindingsHash,
  type TlsServerEndPointHashName,
} from './channel-binding.js';
export {
  NtlmClientContext,
  computeAuthenticate,
  parseNtlmUser,
  CLIENT_VERSION,
  type NtlmCredentials,
  type NtlmClientOptions,
  type NtlmUserForm,
  type ParsedUser,
  type AuthenticateInput,
  type AuthenticateResult,
} from './client-context.js';
export {
  NtlmServerContext,
  NtlmAuthenticationRejected,
  SERVER_VERSION,
  type NtlmServerOptions,
  type NtlmRejectReason,
  type NtlmAcceptResult,
} from './server-context.js';
