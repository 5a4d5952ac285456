import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError, NtlmError, NtlmSignatureError } from '../src/errors.js';
import {
  AvFlags,
  AvId,
  MIC_OFFSET,
  NegotiateFlags,
  NtlmAuthenticationRejected,
  NtlmClientContext,
  NtlmServerContext,
  avFlags,
  avStringPair,
  decodeAuthenticate,
  decodeChallenge,
  decodeNegotiate,
  encodeAuthenticate,
  encodeChallenge,
  filetime,
  findAvPair,
  parseNtlmv2Response,
  type NtlmClientOptions,
  type NtlmRejectReason,
  type NtlmServerOptions,
  type NtlmSession,
} from '../src/auth/ntlm/index.js';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

const ACCOUNTS: Record<string, string> = { 'HYPERV\\admin': 'S3cret!', 'CORP\\alice': 'Pa$$w0rd', '\\local': 'local-pw' };
const lookupPassword = (user: string, domain: string): string | undefined => ACCOUNTS[`${domain.toUpperCase()}\\${user.toLowerCase()}`];
const SERVER_TIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const CBT_A = ascii('tls-server-end-point:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
const CBT_B = ascii('tls-server-end-point:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');

function server(options: Partial<NtlmServerOptions> = {}): NtlmServerContext {
  return new NtlmServerContext({ lookupPassword, targetName: 'HYPERV', computerName: 'HV01', now: () => SERVER_TIME, ...options });
}

interface Handshake {
  readonly negotiate: Uint8Array;
  readonly challenge: Uint8Array;
  readonly authenticate: Uint8Array;
  readonly client: NtlmClientContext;
  readonly server: NtlmServerContext;
}

function handshakeMessages(user: string, password: string, clientOptions: NtlmClientOptions = {}, serverOptions: Partial<NtlmServerOptions> = {}): Handshake {
  const client = new NtlmClientContext({ user, password }, clientOptions);
  const srv = server(serverOptions);
  const negotiate = client.createNegotiate();
  const challenge = srv.createChallenge(negotiate);
  const authenticate = client.createAuthenticate(challenge);
  return { negotiate, challenge, authenticate, client, server: srv };
}

function rejects(fn: () => unknown, reason: NtlmRejectReason): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NtlmError, 'an NtlmError');
    assert.ok(e instanceof NtlmAuthenticationRejected);
    assert.equal(e.reason, reason);
    return true;
  });
}

function exchange(client: NtlmSession, srv: NtlmSession, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    const request = ascii(`<s:Envelope>request ${i} ${'x'.repeat(i * 37)}</s:Envelope>`);
    const up = client.seal(request);
    assert.notDeepEqual(up.sealed, request);
    assert.equal(text(srv.unseal(up.sealed, up.signature)), text(request));
    const response = ascii(`<s:Envelope>response ${i}</s:Envelope>`);
    const down = srv.seal(response);
    assert.equal(text(client.unseal(down.sealed, down.signature)), text(response));
  }
}

test('NEGOTIATE carries exactly the flags we document', () => {
  const negotiate = new NtlmClientContext({ user: 'HYPERV\\admin', password: 'x' }).createNegotiate();
  const expected =
    NegotiateFlags.UNICODE | NegotiateFlags.REQUEST_TARGET | NegotiateFlags.SIGN | NegotiateFlags.SEAL | NegotiateFlags.NTLM |
    NegotiateFlags.ALWAYS_SIGN | NegotiateFlags.EXTENDED_SESSIONSECURITY | NegotiateFlags.TARGET_INFO | NegotiateFlags.VERSION |
    NegotiateFlags.NEGOTIATE_128 | NegotiateFlags.KEY_EXCH | NegotiateFlags.NEGOTIATE_56;
  assert.equal(decodeNegotiate(negotiate).flags, expected >>> 0);
  assert.equal(decodeNegotiate(negotiate).flags, 0xe2888235);
});

test('Full handshake for DOMAIN\\user, user@domain and user, then sealed traffic both ways', () => {
  const forms: [string, string, string, string, string][] = [
    ['HYPERV\\admin', 'S3cret!', 'domain\\user', 'admin', 'HYPERV'],
    ['alice@CORP', 'Pa$$w0rd', 'user@domain', 'alice', 'CORP'],
    ['local', 'local-pw', 'user', 'local', ''],
  ];
  for (const [typed, password, form, user, domain] of forms) {
    const h = handshakeMessages(typed, password);
    assert.equal(h.client.userForm, form);
    const accepted = h.server.acceptAuthenticate(h.authenticate);
    assert.equal(accepted.user, user, typed);
    assert.equal(accepted.domain, domain, typed);
    assert.equal(h.client.complete, true);
    exchange(h.client.session, accepted.session, 4);
  }
});

test('User@domain goes whole into UserName with an empty DomainName, as SSPI sends it', () => {
  const { authenticate } = handshakeMessages('alice@CORP', 'Pa$$w0rd');
  const msg = decodeAuthenticate(authenticate);
  assert.equal(msg.user, 'alice@CORP');
  assert.equal(msg.domain, '');
});

test('The client answers with NTLMv2: server timestamp, MIC bit, Z(24) LM response, KEY_EXCH key', () => {
  const h = handshakeMessages('HYPERV\\admin', 'S3cret!', { workstation: 'LINUXBOX' });
  const msg = decodeAuthenticate(h.authenticate);
  const nt = parseNtlmv2Response(msg.ntChallengeResponse);
  assert.deepEqual(nt.time, filetime(SERVER_TIME));
  assert.equal(avFlags(nt.avPairs) & AvFlags.MIC_PRESENT, AvFlags.MIC_PRESENT);
  assert.equal(findAvPair(nt.avPairs, AvId.CHANNEL_BINDINGS), undefined, 'no CBT unless given');
  assert.deepEqual(msg.lmChallengeResponse, new Uint8Array(24));
  assert.equal(msg.encryptedRandomSessionKey.length, 16);
  assert.equal(msg.mic?.length, 16);
  assert.equal(msg.workstation, 'LINUXBOX');
  assert.equal(msg.flags & NegotiateFlags.KEY_EXCH, NegotiateFlags.KEY_EXCH);
  assert.equal(msg.flags & NegotiateFlags.OEM, 0);
});

test('Injected randomness makes the AUTHENTICATE_MESSAGE deterministic; the client challenge lands in the blob', () => {
  const random = (n: number): Uint8Array => new Uint8Array(n).fill(n === 8 ? 0xaa : 0x55);
  const serverRandom = (n: number): Uint8Array => new Uint8Array(n).fill(0x11);
  const a = handshakeMessages('HYPERV\\admin', 'S3cret!', { randomBytes: random }, { randomBytes: serverRandom });
  const b = handshakeMessages('HYPERV\\admin', 'S3cret!', { randomBytes: random }, { randomBytes: serverRandom });
  assert.deepEqual(a.authenticate, b.authenticate);
  assert.deepEqual(parseNtlmv2Response(decodeAuthenticate(a.authenticate).ntChallengeResponse).clientChallenge, new Uint8Array(8).fill(0xaa));
  assert.deepEqual(decodeChallenge(a.challenge).serverChallenge, new Uint8Array(8).fill(0x11));
});

test('Wrong password and unknown user are rejected with NtlmError', () => {
  const bad = handshakeMessages('HYPERV\\admin', 'wrong');
  rejects(() => bad.server.acceptAuthenticate(bad.authenticate), 'bad-password');
  const unknown = handshakeMessages('HYPERV\\mallory', 'S3cret!');
  rejects(() => unknown.server.acceptAuthenticate(unknown.authenticate), 'unknown-user');
});

test('A tampered MIC, or a NEGOTIATE altered in transit, is rejected', () => {
  const h = handshakeMessages('HYPERV\\admin', 'S3cret!');
  const tampered = h.authenticate.slice();
  tampered[MIC_OFFSET + 5]! ^= 0x01;
  rejects(() => h.server.acceptAuthenticate(tampered), 'bad-mic');

  // A man in the middle drops KEY_EXCH from the NEGOTIATE the server sees: the MIC covers it.
  const client = new NtlmClientContext({ user: 'HYPERV\\admin', password: 'S3cret!' });
  const srv = server();
  const negotiate = client.createNegotiate().slice();
  negotiate[15]! &= ~0x40; // KEY_EXCH is bit 30 of the little-endian flags at offset 12
  const authenticate = client.createAuthenticate(srv.createChallenge(negotiate));
  rejects(() => srv.acceptAuthenticate(authenticate), 'bad-mic');
});

test('Stripping the MIC is caught because MsvAvFlags sits inside the proof', () => {
  const h = handshakeMessages('HYPERV\\admin', 'S3cret!');
  const msg = decodeAuthenticate(h.authenticate);
  const noMic = encodeAuthenticate({ ...msg, mic: undefined });
  rejects(() => h.server.acceptAuthenticate(noMic), 'mic-missing');
});

test('Channel bindings: match accepted, mismatch rejected, absence rejected only when required', () => {
  const ok = handshakeMessages('HYPERV\\admin', 'S3cret!', { channelBindings: CBT_A }, { expectedChannelBindings: CBT_A, requireChannelBindings: true });
  const accepted = ok.server.acceptAuthenticate(ok.authenticate);
  exchange(ok.client.session, accepted.session, 2);

  const mismatch = handshakeMessages('HYPERV\\admin', 'S3cret!', { channelBindings: CBT_B }, { expectedChannelBindings: CBT_A, requireChannelBindings: true });
  rejects(() => mismatch.server.acceptAuthenticate(mismatch.authenticate), 'cbt-mismatch');

  const mismatchRelaxed = handshakeMessages('HYPERV\\admin', 'S3cret!', { channelBindings: CBT_B }, { expectedChannelBindings: CBT_A });
  rejects(() => mismatchRelaxed.server.acceptAuthenticate(mismatchRelaxed.authenticate), 'cbt-mismatch');

  const missing = handshakeMessages('HYPERV\\admin', 'S3cret!', {}, { expectedChannelBindings: CBT_A, requireChannelBindings: true });
  rejects(() => missing.server.acceptAuthenticate(missing.authenticate), 'cbt-missing');

  const relaxed = handshakeMessages('HYPERV\\admin', 'S3cret!', {}, { expectedChannelBindings: CBT_A });
  assert.equal(relaxed.server.acceptAuthenticate(relaxed.authenticate).user, 'admin');
});

test('requireChannelBindings without expectedChannelBindings is a contradiction caught up front', () => {
  assert.throws(() => server({ requireChannelBindings: true }), InvalidOptionError);
});

test('Sealed traffic: tampering, replay and reordering raise NtlmSignatureError', () => {
  const h = handshakeMessages('CORP\\alice', 'Pa$$w0rd');
  const srv = h.server.acceptAuthenticate(h.authenticate).session;
  const client = h.client.session;

  const m0 = client.seal(ascii('zero'));
  assert.equal(text(srv.unseal(m0.sealed, m0.signature)), 'zero');
  const flipped = client.seal(ascii('one'));
  flipped.sealed[0]! ^= 0x04;
  assert.throws(() => srv.unseal(flipped.sealed, flipped.signature), NtlmSignatureError);

  const h2 = handshakeMessages('CORP\\alice', 'Pa$$w0rd');
  const srv2 = h2.server.acceptAuthenticate(h2.authenticate).session;
  const r0 = srv2.seal(ascii('r0'));
  assert.equal(text(h2.client.session.unseal(r0.sealed, r0.signature)), 'r0');
  assert.throws(() => h2.client.session.unseal(r0.sealed, r0.signature), NtlmSignatureError, 'replay');

  const h3 = handshakeMessages('CORP\\alice', 'Pa$$w0rd');
  const srv3 = h3.server.acceptAuthenticate(h3.authenticate).session;
  const a = h3.client.session.seal(ascii('a'));
  const b = h3.client.session.seal(ascii('b'));
  assert.ok(a.sealed.length === 1);
  assert.throws(() => srv3.unseal(b.sealed, b.signature), NtlmSignatureError, 'out of order');

  const h4 = handshakeMessages('CORP\\alice', 'Pa$$w0rd');
  const srv4 = h4.server.acceptAuthenticate(h4.authenticate).session;
  const sig = h4.client.session.seal(ascii('sig'));
  sig.signature[9]! ^= 0x10;
  assert.throws(() => srv4.unseal(sig.sealed, sig.signature), NtlmSignatureError, 'signature bit');
});

/** A CHALLENGE that looks like a server from the NTLMv1 era (or a downgrade attempt). */
function legacyChallenge(flagsToDrop: number, targetInfo = [avStringPair(AvId.NB_DOMAIN_NAME, 'D'), avStringPair(AvId.NB_COMPUTER_NAME, 'S')]): Uint8Array {
  const flags = (0xe28a8233 & ~flagsToDrop) >>> 0;
  return encodeChallenge({ flags, serverChallenge: new Uint8Array(8).fill(1), targetName: 'D', targetInfo });
}

test('A server that offers no NTLMv2 / extended session security is refused by the client', () => {
  const cases: [string, Uint8Array][] = [
    ['no ESS', legacyChallenge(NegotiateFlags.EXTENDED_SESSIONSECURITY)],
    ['no TARGET_INFO', legacyChallenge(NegotiateFlags.TARGET_INFO, [])],
    ['no 128-bit keys', legacyChallenge(NegotiateFlags.NEGOTIATE_128)],
    ['no NetBIOS names in target info', legacyChallenge(0, [avStringPair(AvId.DNS_COMPUTER_NAME, 's.example')])],
  ];
  for (const [what, challenge] of cases) {
    const client = new NtlmClientContext({ user: 'D\\u', password: 'p' });
    client.createNegotiate();
    assert.throws(() => client.createAuthenticate(challenge), NtlmError, what);
    assert.throws(() => client.session, NtlmError);
  }
});

test('Without a server timestamp the client uses now(), sends an LMv2 response and no MIC', () => {
  const client = new NtlmClientContext({ user: 'D\\u', password: 'p' }, { now: () => SERVER_TIME });
  client.createNegotiate();
  const msg = decodeAuthenticate(client.createAuthenticate(legacyChallenge(0)));
  const nt = parseNtlmv2Response(msg.ntChallengeResponse);
  assert.deepEqual(nt.time, filetime(SERVER_TIME));
  assert.equal(msg.mic, undefined);
  assert.equal(avFlags(nt.avPairs), 0);
  assert.equal(msg.lmChallengeResponse.length, 24);
  assert.notDeepEqual(msg.lmChallengeResponse, new Uint8Array(24));
});

test('The server refuses NTLMv1 responses and clients that do not ask for ESS', () => {
  const srv = server();
  srv.createChallenge(new NtlmClientContext({ user: 'u', password: 'p' }).createNegotiate());
  const v1 = encodeAuthenticate({
    flags: 0xe2888235,
    lmChallengeResponse: new Uint8Array(24),
    ntChallengeResponse: new Uint8Array(24).fill(7),
    domain: 'HYPERV',
    user: 'admin',
    workstation: '',
    encryptedRandomSessionKey: new Uint8Array(16),
  });
  rejects(() => srv.acceptAuthenticate(v1), 'ntlmv1');

  const negotiate = new NtlmClientContext({ user: 'u', password: 'p' }).createNegotiate().slice();
  negotiate[14]! &= ~0x08; // clear EXTENDED_SESSIONSECURITY (0x00080000)
  rejects(() => server().createChallenge(negotiate), 'ntlmv1');
});

test('Contexts enforce message order and single use', () => {
  const client = new NtlmClientContext({ user: 'u', password: 'p' });
  assert.throws(() => client.session, NtlmError);
  assert.throws(() => client.createAuthenticate(new Uint8Array(0)), NtlmError);
  const h = handshakeMessages('HYPERV\\admin', 'S3cret!');
  assert.throws(() => h.client.createNegotiate(), NtlmError);
  assert.throws(() => h.client.createAuthenticate(h.challenge), NtlmError);
  rejects(() => server().acceptAuthenticate(h.authenticate), 'out-of-order');
  h.server.acceptAuthenticate(h.authenticate);
  rejects(() => h.server.acceptAuthenticate(h.authenticate), 'out-of-order');
});

test('A failed attempt cannot be retried against the same challenge', () => {
  const bad = handshakeMessages('HYPERV\\admin', 'wrong');
  rejects(() => bad.server.acceptAuthenticate(bad.authenticate), 'bad-password');
  rejects(() => bad.server.acceptAuthenticate(bad.authenticate), 'out-of-order');
});

test('Garbage AUTHENTICATE bytes are rejected as malformed', () => {
  const srv = server();
  srv.createChallenge(new NtlmClientContext({ user: 'u', password: 'p' }).createNegotiate());
  rejects(() => srv.acceptAuthenticate(ascii('not an ntlm message at all, definitely not one')), 'malformed');
});

test('An empty user name is refused up front', () => {
  assert.throws(() => new NtlmClientContext({ user: '', password: 'p' }), InvalidOptionError);
  assert.throws(() => new NtlmClientContext({ user: 'DOMAIN\\', password: 'p' }), InvalidOptionError);
});

test('The server CHALLENGE carries target info, a timestamp and the requested security flags', () => {
  const challenge = decodeChallenge(server().createChallenge(new NtlmClientContext({ user: 'u', password: 'p' }).createNegotiate()));
  assert.equal(challenge.targetName, 'HYPERV');
  assert.deepEqual(findAvPair(challenge.targetInfo, AvId.TIMESTAMP)?.value, filetime(SERVER_TIME));
  for (const flag of [NegotiateFlags.EXTENDED_SESSIONSECURITY, NegotiateFlags.TARGET_INFO, NegotiateFlags.SEAL, NegotiateFlags.SIGN, NegotiateFlags.KEY_EXCH, NegotiateFlags.NEGOTIATE_128, NegotiateFlags.UNICODE]) {
    assert.equal((challenge.flags & flag) >>> 0, flag >>> 0);
  }
  assert.equal(challenge.flags & NegotiateFlags.OEM, 0);
});

test('requireSealing (message encryption): a CHALLENGE without SEAL or SIGN is refused before any AUTHENTICATE is built', () => {
  for (const drop of [NegotiateFlags.SEAL, NegotiateFlags.SIGN, NegotiateFlags.SEAL | NegotiateFlags.SIGN]) {
    const client = new NtlmClientContext({ user: 'HYPERV\\admin', password: 'S3cret!' }, { requireSealing: true });
    const offered = decodeChallenge(server().createChallenge(client.createNegotiate()));
    const challenge = encodeChallenge({ ...offered, flags: (offered.flags & ~drop) >>> 0 });
    assert.throws(
      () => client.createAuthenticate(challenge),
      (e: unknown) => e instanceof NtlmError && /does not offer (signing|sealing)/.test(e.message) && /no credentials were sent/.test(e.message),
    );
    assert.equal(client.complete, false, 'no session: nothing was computed from the password');
    // The same CHALLENGE without the requirement (HTTPS, where TLS protects the messages) is answered.
    const lax = new NtlmClientContext({ user: 'HYPERV\\admin', password: 'S3cret!' });
    lax.createNegotiate();
    assert.ok(lax.createAuthenticate(challenge).length > 0);
  }
  // With both flags, requireSealing changes nothing.
  assert.ok(handshakeMessages('HYPERV\\admin', 'S3cret!', { requireSealing: true }).client.complete);
});
