/**
 * The WinRM multipart/encrypted framing over Kerberos contexts (MS-WSMV 2.2.9.1.2): a real
 * AP-REQ/AP-REP between our initiator and acceptor with keys from the in-memory KDC (no sockets),
 * then sealed messages both ways under each HTTP scheme's protocol value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KerberosAcceptor, KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { enctypeProfile } from '../src/auth/kerberos/crypto/index.js';
import { KerberosIntegrityError } from '../src/auth/kerberos/errors.js';
import {
  KERBEROS_ENCRYPTED_PROTOCOL,
  SPNEGO_ENCRYPTED_PROTOCOL,
  decryptMessage,
  decryptMessageDetailed,
  encryptMessage,
  encryptedContentType,
} from '../src/auth/message-encryption.js';
import { kerberosMessageSecurity, type KerberosHttpScheme } from '../src/auth/kerberos-security-context.js';
import { MessageEncryptionError } from '../src/errors.js';
import { KeyUsage, encodeEncTicketPart, encodeTicket } from '../src/auth/kerberos/messages.js';
import type { EncryptionKey, KerberosCredential, Principal } from '../src/auth/kerberos/types.js';

const REALM = 'EXAMPLE.COM';
const SPN: Principal = { nameType: 2, components: ['HTTP', 'hv01.example.com'], realm: REALM };

/** A service ticket minted directly with the service key (what the KDC would hand out). */
function contexts(etype: number): { initiator: KerberosInitiator; acceptor: KerberosAcceptor } {
  const keytab = new InMemoryKdc({ realm: REALM, enctypes: [etype] }).addService('HTTP/hv01.example.com');
  const credential = mintTicket(keytab[0]!.key, etype);
  const initiator = new KerberosInitiator({ credential });
  const acceptor = new KerberosAcceptor({ keytab });
  initiator.acceptReply(acceptor.accept(initiator.initialToken()));
  return { initiator, acceptor };
}

/** What a TGS exchange would return, made with the service key: this test is about framing, not the KDC. */
function mintTicket(serviceKey: EncryptionKey, etype: number): KerberosCredential {
  const client: Principal = { nameType: 1, components: ['alice'], realm: REALM };
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const endTime = new Date(now.getTime() + 3600_000);
  const key = enctypeProfile(etype).randomKey();
  const part = encodeEncTicketPart({ flags: 0, key, client, transited: { trType: 1, contents: Buffer.alloc(0) }, authTime: now, startTime: now, endTime });
  const ticket = encodeTicket({ sname: SPN, encPart: { etype, kvno: 1, cipher: enctypeProfile(etype).encrypt(serviceKey, KeyUsage.KDC_REP_TICKET, part) } });
  return { client, server: SPN, key, authTime: now, startTime: now, endTime, flags: 0, ticket };
}

const soap = (text: string): Uint8Array => new Uint8Array(Buffer.from(`<s:Envelope>${text}</s:Envelope>`));

describe('Kerberos message encryption framing', () => {
  for (const [etype, header] of [[18, 60], [17, 60], [20, 72], [19, 64], [23, 45]] as const) {
    for (const scheme of ['Kerberos', 'Negotiate'] as const satisfies readonly KerberosHttpScheme[]) {
      it(`enctype ${etype} under ${scheme}: ${header}-byte header, protocol value, both directions`, () => {
        const { initiator, acceptor } = contexts(etype);
        const client = kerberosMessageSecurity(initiator, scheme);
        const server = kerberosMessageSecurity(acceptor, scheme);
        const protocol = scheme === 'Kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL;
        const contentType = encryptedContentType(protocol);
        for (let i = 0; i < 3; i++) {
          const request = soap(`request ${i}`);
          const body = encryptMessage(client, request);
          const text = Buffer.from(body).toString('latin1');
          assert.ok(text.startsWith(`--Encrypted Boundary\r\nContent-Type: ${protocol}\r\n`), text.slice(0, 80));
          assert.ok(!text.includes(`request ${i}`), 'sealed');
          const at = text.indexOf('octet-stream\r\n') + 'octet-stream\r\n'.length;
          assert.equal(Buffer.from(body).readUInt32LE(at), header);
          // OriginalContent Length counts the data part: rc4 adds its one padding octet (pypsrp does the same).
          assert.match(text, new RegExp(`Length=${request.length + (etype === 23 ? 1 : 0)}\\r\\n`));
          assert.deepEqual(Buffer.from(decryptMessageDetailed(server, body, contentType).plaintext), Buffer.from(request));
          const reply = soap(`reply ${i}`);
          assert.deepEqual(Buffer.from(decryptMessage(client, encryptMessage(server, reply), contentType)), Buffer.from(reply));
        }
      });
    }
  }

  it('the other scheme\'s protocol value, a zero or huge header length and tampering are refused', () => {
    const { initiator, acceptor } = contexts(18);
    const client = kerberosMessageSecurity(initiator, 'Kerberos');
    const server = kerberosMessageSecurity(acceptor, 'Kerberos');
    const body = encryptMessage(client, soap('x'));
    assert.throws(() => decryptMessage(server, body, encryptedContentType(SPNEGO_ENCRYPTED_PROTOCOL)), MessageEncryptionError);
    const at = Buffer.from(body).indexOf('octet-stream\r\n') + 'octet-stream\r\n'.length;
    for (const length of [0, 257, 0xffffffff]) {
      const bad = Buffer.from(body);
      bad.writeUInt32LE(length, at);
      assert.throws(() => decryptMessage(server, bad, encryptedContentType(KERBEROS_ENCRYPTED_PROTOCOL)), MessageEncryptionError, String(length));
    }
    const tampered = Buffer.from(body);
    tampered[tampered.length - 26]! ^= 1; // last sealed byte
    assert.throws(() => decryptMessage(server, tampered, encryptedContentType(KERBEROS_ENCRYPTED_PROTOCOL)), KerberosIntegrityError);
  });
});
