import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtlmError } from '../src/errors.js';
import {
  AvFlags,
  AvId,
  MIC_OFFSET,
  avFlags,
  avPairString,
  avStringPair,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  findAvPair,
  withZeroedMic,
} from '../src/auth/ntlm/messages.js';
import { NegotiateFlags, hasFlag } from '../src/auth/ntlm/flags.js';
import { computeAuthenticate } from '../src/auth/ntlm/client-context.js';
import { channelBindingsHash } from '../src/auth/ntlm/channel-binding.js';
import { computeMic, parseNtlmv2Response } from '../src/auth/ntlm/ntlmv2.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/^[0-9a-fA-F]{4,7}:/gm, '').replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const XP_VERSION = { major: 5, minor: 1, build: 2600, revision: 15 };

// MS-NLMP 4.2.4.3 Messages (NTLMv2), CHALLENGE_MESSAGE:
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/bc612491-fb0b-4829-91bc-7c6b95ff67fe
const SPEC_CHALLENGE = hex(`
0000000: 4e 54 4c 4d 53 53 50 00 02 00 00 00 0c 00 0c 00
0000010: 38 00 00 00 33 82 8a e2 01 23 45 67 89 ab cd ef
0000020: 00 00 00 00 00 00 00 00 24 00 24 00 44 00 00 00
0000030: 06 00 70 17 00 00 00 0f 53 00 65 00 72 00 76 00
0000040: 65 00 72 00 02 00 0c 00 44 00 6f 00 6d 00 61 00
0000050: 69 00 6e 00 01 00 0c 00 53 00 65 00 72 00 76 00
0000060: 65 00 72 00 00 00 00 00`);

// MS-NLMP 4.2.4.3, AUTHENTICATE_MESSAGE.
const SPEC_AUTHENTICATE = hex(`
0000000: 4e 54 4c 4d 53 53 50 00 03 00 00 00 18 00 18 00
0000010: 6c 00 00 00 54 00 54 00 84 00 00 00 0c 00 0c 00
0000020: 48 00 00 00 08 00 08 00 54 00 00 00 10 00 10 00
0000030: 5c 00 00 00 10 00 10 00 d8 00 00 00 35 82 88 e2
0000040: 05 01 28 0a 00 00 00 0f 44 00 6f 00 6d 00 61 00
0000050: 69 00 6e 00 55 00 73 00 65 00 72 00 43 00 4f 00
0000060: 4d 00 50 00 55 00 54 00 45 00 52 00 86 c3 50 97
0000070: ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa
0000080: aa aa aa aa 68 cd 0a b8 51 e5 1c 96 aa bc 92 7b
0000090: eb ef 6a 1c 01 01 00 00 00 00 00 00 00 00 00 00
00000A0: 00 00 00 00 aa aa aa aa aa aa aa aa 00 00 00 00
00000B0: 02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00
00000C0: 01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00
00000D0: 00 00 00 00 00 00 00 00 c5 da d2 54 4f c9 79 90
00000E0: 94 ce 1c e9 0b c9 d0 3e`);

// ntlm-auth tests/test_ntlm.py::TestNtlmContext::test_ntlm_context_with_mic (jborean93/ntlm-auth),
// the full handshake with MIC and channel binding (ntlm-test-vectors.md 7.3).
const MIC_NEGOTIATE = hex(`
4e 54 4c 4d 53 53 50 00 01 00 00 00 31 b0 88 e2 06 00 06 00 28 00 00 00 08 00 08 00 2e 00 00 00
05 01 28 0a 00 00 00 0f 44 6f 6d 61 69 6e 43 4f 4d 50 55 54 45 52`);
const MIC_CHALLENGE = hex(`
4e 54 4c 4d 53 53 50 00 02 00 00 00 00 00 00 00 38 00 00 00 33 82 8a e2 01 23 45 67 89 ab cd ef
00 00 00 00 00 00 00 00 30 00 30 00 38 00 00 00 06 01 b1 1d 00 00 00 0f 02 00 0c 00 44 00 6f 00
6d 00 61 00 69 00 6e 00 01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00 07 00 08 00 00 00 00 00
00 00 00 00 00 00 00 00`);
const MIC_AUTHENTICATE = hex(`
0000: 4e 54 4c 4d 53 53 50 00 03 00 00 00 18 00 18 00
0010: 7c 00 00 00 7c 00 7c 00 94 00 00 00 0c 00 0c 00
0020: 58 00 00 00 08 00 08 00 64 00 00 00 10 00 10 00
0030: 6c 00 00 00 10 00 10 00 10 01 00 00 31 82 8a e2
0040: 05 01 28 0a 00 00 00 0f c4 45 2c f7 a8 1e 4d 11
0050: d0 78 18 94 09 57 5d 9e 44 00 6f 00 6d 00 61 00
0060: 69 00 6e 00 55 00 73 00 65 00 72 00 43 00 4f 00
0070: 4d 00 50 00 55 00 54 00 45 00 52 00 00 00 00 00
0080: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
0090: 00 00 00 00 a1 3d 03 8a d0 ca 02 64 33 89 7c 33
00a0: 5e 0f 56 df 01 01 00 00 00 00 00 00 00 00 00 00
00b0: 00 00 00 00 aa aa aa aa aa aa aa aa 00 00 00 00
00c0: 02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00
00d0: 01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00
00e0: 07 00 08 00 00 00 00 00 00 00 00 00 06 00 04 00
00f0: 02 00 00 00 0a 00 10 00 6e a1 9d f0 66 da 46 22
0100: 05 1f 9c 4f 92 c6 df 74 00 00 00 00 00 00 00 00
0110: 1d 08 89 d1 a5 ee ed 21 91 9e 1a b8 27 c3 0b 17`);
const CBT_APPLICATION_DATA = new Uint8Array([
  ...Buffer.from('tls-server-end-point:', 'ascii'),
  ...hex('E3CA49271E5089CC48CE82109F1324F41DBEDDC29A777410C738F7868C4FF405'),
]);

const SPEC_INPUT = {
  user: 'User',
  domain: 'Domain',
  password: 'Password',
  workstation: 'COMPUTER',
  clientChallenge: hex('aaaaaaaaaaaaaaaa'),
  exportedSessionKey: hex('55555555555555555555555555555555'),
  time: new Uint8Array(8),
  version: XP_VERSION,
};

test('MS-NLMP 4.2.4.3: CHALLENGE_MESSAGE decodes and re-encodes byte for byte', () => {
  const msg = decodeChallenge(SPEC_CHALLENGE);
  assert.equal(msg.flags, 0xe28a8233);
  assert.equal(msg.targetName, 'Server');
  assert.equal(toHex(msg.serverChallenge), '0123456789abcdef');
  assert.equal(avPairString(msg.targetInfo, AvId.NB_DOMAIN_NAME), 'Domain');
  assert.equal(avPairString(msg.targetInfo, AvId.NB_COMPUTER_NAME), 'Server');
  assert.deepEqual(msg.version, { major: 6, minor: 0, build: 6000, revision: 15 });
  assert.equal(toHex(encodeChallenge(msg)), toHex(SPEC_CHALLENGE));
});

test('MS-NLMP 4.2.4.3: AUTHENTICATE_MESSAGE reproduced byte for byte (no timestamp: LMv2, no MIC)', () => {
  const result = computeAuthenticate({ ...SPEC_INPUT, negotiate: new Uint8Array(0), challenge: SPEC_CHALLENGE, flags: 0xe2888235 });
  assert.equal(toHex(result.message), toHex(SPEC_AUTHENTICATE));
  assert.equal(toHex(result.exportedSessionKey), '55555555555555555555555555555555');
});

test('MS-NLMP 4.2.4.3: AUTHENTICATE_MESSAGE decodes into its fields', () => {
  const msg = decodeAuthenticate(SPEC_AUTHENTICATE);
  assert.equal(msg.flags, 0xe2888235);
  assert.equal(msg.user, 'User');
  assert.equal(msg.domain, 'Domain');
  assert.equal(msg.workstation, 'COMPUTER');
  assert.equal(toHex(msg.lmChallengeResponse), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  assert.equal(msg.ntChallengeResponse.length, 0x54);
  assert.equal(toHex(msg.encryptedRandomSessionKey), 'c5dad2544fc9799094ce1ce90bc9d03e');
  assert.deepEqual(msg.version, XP_VERSION);
  assert.equal(msg.mic, undefined, 'payload starts at 0x48, so there is no MIC field');
  assert.equal(toHex(encodeAuthenticate(msg)), toHex(SPEC_AUTHENTICATE));
});

test('ntlm-auth test_ntlm_context_with_mic: NEGOTIATE_MESSAGE with OEM domain/workstation encodes byte for byte', () => {
  const encoded = encodeNegotiate({ flags: 0xe288b031, domain: 'Domain', workstation: 'COMPUTER', version: XP_VERSION });
  assert.equal(toHex(encoded), toHex(MIC_NEGOTIATE));
  const decoded = decodeNegotiate(MIC_NEGOTIATE);
  assert.equal(decoded.domain, 'Domain');
  assert.equal(decoded.workstation, 'COMPUTER');
  assert.equal(decoded.flags, 0xe288b031);
});

test('ntlm-auth test_ntlm_context_with_mic: CHALLENGE with MsvAvTimestamp and empty TargetName round-trips', () => {
  const msg = decodeChallenge(MIC_CHALLENGE);
  assert.equal(msg.targetName, '');
  assert.equal(toHex(findAvPair(msg.targetInfo, AvId.TIMESTAMP)!.value), '0000000000000000');
  assert.equal(toHex(encodeChallenge(msg)), toHex(MIC_CHALLENGE));
});

test('ntlm-auth test_ntlm_context_with_mic: AUTHENTICATE with MIC, MsvAvFlags and channel bindings, byte for byte', () => {
  const result = computeAuthenticate({
    ...SPEC_INPUT,
    negotiate: MIC_NEGOTIATE,
    challenge: MIC_CHALLENGE,
    flags: 0xe28a8231,
    channelBindingsHash: channelBindingsHash(CBT_APPLICATION_DATA),
  });
  assert.equal(toHex(result.message), toHex(MIC_AUTHENTICATE));
});

test('ntlm-auth test_ntlm_context_with_mic: decoded MIC verifies over NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE(MIC zeroed)', () => {
  const msg = decodeAuthenticate(MIC_AUTHENTICATE);
  assert.equal(toHex(msg.mic!), 'c4452cf7a81e4d11d078189409575d9e');
  const mic = computeMic(hex('55555555555555555555555555555555'), MIC_NEGOTIATE, MIC_CHALLENGE, withZeroedMic(MIC_AUTHENTICATE));
  assert.deepEqual(mic, msg.mic);
  assert.deepEqual(msg.lmChallengeResponse, new Uint8Array(24));
  const nt = parseNtlmv2Response(msg.ntChallengeResponse);
  assert.equal(toHex(nt.ntProofStr), 'a13d038ad0ca026433897c335e0f56df');
  assert.equal(avFlags(nt.avPairs), AvFlags.MIC_PRESENT);
  assert.equal(toHex(findAvPair(nt.avPairs, AvId.CHANNEL_BINDINGS)!.value), '6ea19df066da4622051f9c4f92c6df74');
  assert.equal(withZeroedMic(MIC_AUTHENTICATE).subarray(MIC_OFFSET, MIC_OFFSET + 16).every((b) => b === 0), true);
});

test('Strings follow the negotiated charset: OEM when UNICODE is not set', () => {
  const flags = NegotiateFlags.OEM | NegotiateFlags.NTLM;
  const bytes = encodeAuthenticate({
    flags,
    lmChallengeResponse: new Uint8Array(0),
    ntChallengeResponse: new Uint8Array(0),
    domain: 'DOM',
    user: 'bob',
    workstation: '',
    encryptedRandomSessionKey: new Uint8Array(0),
  });
  assert.ok(Buffer.from(bytes).includes(Buffer.from('DOMbob', 'latin1')));
  const back = decodeAuthenticate(bytes);
  assert.equal(back.user, 'bob');
  assert.equal(back.domain, 'DOM');
  assert.equal(hasFlag(back.flags, NegotiateFlags.UNICODE), false);
});

test('AV pairs round-trip and the EOL terminator is written exactly once', () => {
  const pairs = [avStringPair(AvId.NB_COMPUTER_NAME, 'HV1'), { id: AvId.FLAGS, value: new Uint8Array([2, 0, 0, 0]) }];
  const bytes = encodeAvPairs([...pairs, { id: AvId.EOL, value: new Uint8Array(0) }]);
  assert.equal(toHex(bytes.subarray(bytes.length - 4)), '00000000');
  assert.equal(bytes.length, 4 + 6 + 4 + 4 + 4);
  assert.deepEqual(decodeAvPairs(bytes), pairs);
});

test('Malformed messages are refused with NtlmError', () => {
  const cases: [string, () => unknown][] = [
    ['too short', () => decodeChallenge(SPEC_CHALLENGE.subarray(0, 20))],
    ['no NTLMSSP signature', () => decodeChallenge(new Uint8Array([...Buffer.from('NTLMSSX\0'), ...SPEC_CHALLENGE.subarray(8)]))],
    ['wrong message type', () => decodeAuthenticate(SPEC_CHALLENGE)],
    ['field past the end', () => decodeAuthenticate(SPEC_AUTHENTICATE.subarray(0, SPEC_AUTHENTICATE.length - 4))],
    ['TargetInfo past the end', () => decodeChallenge(SPEC_CHALLENGE.subarray(0, SPEC_CHALLENGE.length - 1))],
    ['AV pair list without EOL', () => decodeAvPairs(hex('01000400410042'))],
    ['AV pair longer than the list', () => decodeAvPairs(hex('0100ff0041004200'))],
  ];
  for (const [name, fn] of cases) assert.throws(fn, NtlmError, name);
});
