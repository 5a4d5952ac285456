/**
 * Our NTLMv2 initiator and session security checked by impacket (Debian python3-impacket), an NTLM
 * implementation we did not write: it parses our NEGOTIATE and AUTHENTICATE, recomputes NTProofStr,
 * the session keys and the MIC from the password ([MS-NLMP] 3.3.2, 3.4.5, 3.1.5.1.2), opens messages
 * our client sealed and seals messages our client and server sessions must open ([MS-NLMP] 3.4.3).
 * Python side: interop/py/impacket_check.py.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  CLIENT_VERSION,
  NegotiateFlags,
  NtlmClientContext,
  NtlmServerContext,
  channelBindingApplicationData,
  combineFlags,
  filetime,
  hasFlag,
  type NtlmSession,
} from '../src/auth/ntlm/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, generateTestCertificates, type TestCertificates } from '../src/emulator/index.js';
import { runPythonPeer } from './python-peer.js';

const PEER_PACKAGES = ['python3-impacket'];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

const CLIENT_CHALLENGE = unhex('0123456789abcdef');
const SESSION_KEY = unhex('55555555aaaaaaaa0f0f0f0ff0f0f0f0');
const SERVER_CHALLENGE = unhex('f1e2d3c4b5a69788');

/** Deterministic randomness: 8 bytes = client challenge, 16 = exported session key, as the client asks. */
const clientRandom = (n: number): Uint8Array => (n === 8 ? CLIENT_CHALLENGE : n === 16 ? SESSION_KEY : new Uint8Array(n).fill(7));

/** WinRM-sized envelopes: what the sessions actually seal. */
const CLIENT_MESSAGES = [
  '<s:Envelope><s:Body><p:GetError_INPUT/></s:Body></s:Envelope>',
  '<s:Envelope><s:Body>second message, tampered in transit</s:Body></s:Envelope>',
  '<s:Envelope><s:Body>third 仮想マシン &amp; more</s:Body></s:Envelope>',
];
const SERVER_MESSAGES = ['<s:Envelope><s:Body><p:GetError_OUTPUT><p:ReturnValue>0</p:ReturnValue></p:GetError_OUTPUT></s:Body></s:Envelope>', 'second reply'];

/** An acceptor's answer to our NEGOTIATE without 56-bit: NTLMv2 with ESS, 128-bit keys, KEY_EXCH, sign and seal, VERSION, TargetInfo. */
const WINDOWS_CHALLENGE_FLAGS = combineFlags(
  NegotiateFlags.UNICODE,
  NegotiateFlags.REQUEST_TARGET,
  NegotiateFlags.SIGN,
  NegotiateFlags.SEAL,
  NegotiateFlags.NTLM,
  NegotiateFlags.ALWAYS_SIGN,
  NegotiateFlags.TARGET_TYPE_SERVER,
  NegotiateFlags.EXTENDED_SESSIONSECURITY,
  NegotiateFlags.TARGET_INFO,
  NegotiateFlags.VERSION,
  NegotiateFlags.NEGOTIATE_128,
  NegotiateFlags.KEY_EXCH,
);

interface Opened {
  plaintext: string;
  signatureMatches: boolean;
}
interface Sealed {
  sealed: string;
  signature: string;
}
interface Verdict {
  negotiate: { flags: number; version: string | null };
  authenticate: { flags: number; user: string; domain: string; workstation: string; lmResponse: string; version: string | null };
  blob: {
    header: string;
    time: string;
    clientChallenge: string;
    reserved: string;
    trailer: string;
    avPairs: Record<string, string>;
    serverAvPairs: Record<string, string>;
    serverPairsCarried: boolean;
    micFlag: boolean;
  };
  ntProofStrMatches: boolean;
  ntResponseReproduced: boolean;
  lmv2Expected: string;
  sessionBaseKey: string;
  sessionBaseKeyReproduced: boolean;
  exportedSessionKey: string;
  micPresent: boolean;
  micMatches: boolean;
  channelBindings: string | null;
  channelBindingsExpected: string | null;
  opened: Opened[];
  sealedForClient: Sealed[];
  sealedForServer: Sealed[];
}

interface Handshake {
  negotiate: Uint8Array;
  challenge: Uint8Array;
  authenticate: Uint8Array;
  client: NtlmClientContext;
}

function verify(h: Handshake, password: string, extra: Record<string, unknown> = {}): Promise<Verdict> {
  return runPythonPeer<Verdict>(
    'impacket_check.py',
    { mode: 'verify', negotiate: hex(h.negotiate), challenge: hex(h.challenge), authenticate: hex(h.authenticate), password, ...extra },
    PEER_PACKAGES,
  );
}

/** Seal CLIENT_MESSAGES with our client session, flipping one byte of the second one in transit. */
function sealTampered(session: NtlmSession): Sealed[] {
  return CLIENT_MESSAGES.map((m, i) => {
    const { sealed, signature } = session.seal(utf8(m));
    if (i === 1) sealed[5] = sealed[5]! ^ 0x01;
    return { sealed: hex(sealed), signature: hex(signature) };
  });
}

/** impacket's view of the sealed traffic, in both directions, against our sessions. */
function assertSessionTraffic(v: Verdict, client: NtlmSession, server: NtlmSession | undefined): void {
  assert.equal(v.opened.length, 3);
  assert.deepEqual(
    v.opened.map((o) => o.signatureMatches),
    [true, false, true],
    'impacket verifies our signatures and catches the altered message',
  );
  assert.equal(Buffer.from(v.opened[0]!.plaintext, 'hex').toString('utf8'), CLIENT_MESSAGES[0]);
  assert.equal(Buffer.from(v.opened[2]!.plaintext, 'hex').toString('utf8'), CLIENT_MESSAGES[2]);

  const replies = v.sealedForClient.map((s) => Buffer.from(client.unseal(unhex(s.sealed), unhex(s.signature))).toString('utf8'));
  assert.deepEqual(replies, SERVER_MESSAGES, 'our client session opens what impacket sealed as the server');
  if (server) {
    const requests = v.sealedForServer.map((s) => Buffer.from(server.unseal(unhex(s.sealed), unhex(s.signature))).toString('utf8'));
    assert.deepEqual(requests, CLIENT_MESSAGES.slice(0, 1), 'our server session opens what impacket sealed as the client');
  }
}

const sealJob = { sealForClient: SERVER_MESSAGES.map((m) => hex(utf8(m))), sealForServer: [hex(utf8(CLIENT_MESSAGES[0]!))] };

let certs: TestCertificates;
before(async () => {
  certs = await generateTestCertificates();
});
after(async () => {
  await certs.cleanup();
});

test('impacket accepts our AUTHENTICATE to our own CHALLENGE and shares both session directions', async () => {
  const client = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD }, { randomBytes: clientRandom, workstation: 'LINUX-CI' });
  const server = new NtlmServerContext({
    lookupPassword: (user) => (user.toLowerCase() === DEFAULT_USER.toLowerCase() ? DEFAULT_PASSWORD : undefined),
    computerName: 'HV-EMU01',
    randomBytes: () => SERVER_CHALLENGE,
  });
  const negotiate = client.createNegotiate();
  const challenge = server.createChallenge(negotiate);
  const authenticate = client.createAuthenticate(challenge);
  const accepted = server.acceptAuthenticate(authenticate);

  const v = await verify({ negotiate, challenge, authenticate, client }, DEFAULT_PASSWORD, { clientSealed: sealTampered(client.session), ...sealJob });

  for (const flag of ['EXTENDED_SESSIONSECURITY', 'KEY_EXCH', 'NEGOTIATE_128', 'SEAL', 'SIGN', 'UNICODE', 'NTLM', 'VERSION'] as const) {
    assert.ok(hasFlag(v.negotiate.flags, NegotiateFlags[flag]), `impacket sees ${flag} in our NEGOTIATE`);
  }
  const build = Buffer.alloc(2);
  build.writeUInt16LE(CLIENT_VERSION.build);
  assert.equal(v.negotiate.version, `${hex(Uint8Array.of(CLIENT_VERSION.major, CLIENT_VERSION.minor))}${build.toString('hex')}000000${hex(Uint8Array.of(CLIENT_VERSION.revision))}`);
  assert.deepEqual([v.authenticate.user, v.authenticate.domain, v.authenticate.workstation], [DEFAULT_USER, '', 'LINUX-CI']);

  // NTLMv2_CLIENT_CHALLENGE layout ([MS-NLMP] 2.2.2.7) as impacket reads it.
  assert.equal(v.blob.header, '0101000000000000');
  assert.equal(v.blob.reserved, '00000000');
  assert.equal(v.blob.trailer, '00000000');
  assert.equal(v.blob.clientChallenge, hex(CLIENT_CHALLENGE));
  assert.equal(v.blob.time, v.blob.serverAvPairs['Timestamp'], 'the blob carries the server timestamp');
  assert.ok(v.blob.serverPairsCarried, 'every server AV pair is echoed unchanged');
  assert.ok(v.blob.micFlag, 'MsvAvFlags announces the MIC');

  assert.ok(v.ntProofStrMatches, 'impacket recomputes our NTProofStr from the password');
  assert.equal(v.exportedSessionKey, hex(SESSION_KEY), 'impacket unwraps EncryptedRandomSessionKey with KXKEY to our session key');
  assert.ok(v.micPresent && v.micMatches, 'impacket recomputes our MIC');
  assert.equal(v.authenticate.lmResponse, '00'.repeat(24), 'Z(24) LmChallengeResponse when the server sent a timestamp');
  assert.equal(v.channelBindings, null);
  assertSessionTraffic(v, client.session, accepted.session);
});

test('impacket rejects the same AUTHENTICATE under a wrong password (the checks can fail)', async () => {
  const client = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD }, { randomBytes: clientRandom });
  const server = new NtlmServerContext({ lookupPassword: () => DEFAULT_PASSWORD, computerName: 'HV-EMU01' });
  const negotiate = client.createNegotiate();
  const challenge = server.createChallenge(negotiate);
  const authenticate = client.createAuthenticate(challenge);
  const v = await verify({ negotiate, challenge, authenticate, client }, `${DEFAULT_PASSWORD}x`);
  assert.equal(v.ntProofStrMatches, false);
  assert.equal(v.micMatches, false);
  assert.notEqual(v.exportedSessionKey, hex(SESSION_KEY));
});

test('impacket-built CHALLENGE: impacket reproduces our NTLMv2 response byte for byte, with a domain user, a non-ASCII password, SPN and channel bindings', async () => {
  const timestamp = filetime(new Date(Date.UTC(2026, 0, 15, 8, 30, 0)));
  const { challenge: challengeHex } = await runPythonPeer<{ challenge: string }>(
    'impacket_check.py',
    { mode: 'challenge', flags: WINDOWS_CHALLENGE_FLAGS, serverChallenge: hex(SERVER_CHALLENGE), nbDomain: 'HV-IMPACKET', nbComputer: 'HV-IMPACKET', timestamp: hex(timestamp) },
    PEER_PACKAGES,
  );
  const password = 'Pässwörd-仮想-1';
  const certDer = new Uint8Array(new X509Certificate(certs.cert).raw);
  // impacket's own client always sends MsvAvTargetName cifs/<NbComputerName>; using the same SPN lets it rebuild our blob.
  const client = new NtlmClientContext(
    { user: 'HV-IMPACKET\\Operator', password },
    { randomBytes: clientRandom, targetSpn: 'cifs/HV-IMPACKET', channelBindings: channelBindingApplicationData(certDer) },
  );
  const negotiate = client.createNegotiate();
  const challenge = unhex(challengeHex);
  const authenticate = client.createAuthenticate(challenge);

  const v = await verify({ negotiate, challenge, authenticate, client }, password, { certificate: hex(certDer), clientSealed: sealTampered(client.session), ...sealJob });

  assert.deepEqual([v.authenticate.user, v.authenticate.domain], ['Operator', 'HV-IMPACKET']);
  assert.equal(v.authenticate.flags, WINDOWS_CHALLENGE_FLAGS, 'our AUTHENTICATE keeps exactly the flags impacket offered');
  assert.equal(v.blob.time, hex(timestamp));
  assert.ok(v.ntProofStrMatches);
  assert.ok(v.ntResponseReproduced, "impacket's computeResponseNTLMv2 yields our NtChallengeResponse");
  assert.ok(v.sessionBaseKeyReproduced);
  assert.equal(v.exportedSessionKey, hex(SESSION_KEY));
  assert.ok(v.micPresent && v.micMatches);
  assert.equal(Buffer.from(v.blob.avPairs['TargetName']!, 'hex').toString('utf16le'), 'cifs/HV-IMPACKET');
  assert.ok(v.channelBindingsExpected !== null);
  assert.equal(v.channelBindings, v.channelBindingsExpected, 'MsvAvChannelBindings = MD5(gss_channel_bindings_struct) for tls-server-end-point');
  assertSessionTraffic(v, client.session, undefined);
});

test('impacket-built CHALLENGE without a timestamp: our LMv2 response matches impacket, no MIC is sent', async () => {
  const { challenge: challengeHex } = await runPythonPeer<{ challenge: string }>(
    'impacket_check.py',
    { mode: 'challenge', flags: WINDOWS_CHALLENGE_FLAGS, serverChallenge: hex(SERVER_CHALLENGE), nbDomain: 'OLDHOST', nbComputer: 'OLDHOST' },
    PEER_PACKAGES,
  );
  const now = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
  const client = new NtlmClientContext({ user: 'operator@example.test', password: 'Secret-9' }, { randomBytes: clientRandom, now: () => now });
  const negotiate = client.createNegotiate();
  const challenge = unhex(challengeHex);
  const authenticate = client.createAuthenticate(challenge);

  const v = await verify({ negotiate, challenge, authenticate, client }, 'Secret-9', { clientSealed: sealTampered(client.session), ...sealJob });

  assert.deepEqual([v.authenticate.user, v.authenticate.domain], ['operator@example.test', ''], 'a UPN goes whole into UserName');
  assert.equal(v.blob.time, hex(filetime(now)));
  assert.equal(v.blob.micFlag, false);
  assert.equal(v.micPresent, false);
  assert.ok(v.ntProofStrMatches);
  assert.equal(v.authenticate.lmResponse, v.lmv2Expected, 'LMv2 = HMAC_MD5(NTOWFv2, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge');
  assert.equal(v.exportedSessionKey, hex(SESSION_KEY));
  assertSessionTraffic(v, client.session, undefined);
});
