/**
 * Kerberos crypto against published vectors: RFC 3961 App. A.1 (n-fold), RFC 3962 App. B
 * (string-to-key, AES-CTS), krb5 t_decrypt/t_cksums (AES-SHA1, RC4), RFC 8009 App. A (AES-SHA2).
 * Values as collected in shared/docs/kerberos-facts.md §5.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { ctsDecrypt, ctsEncrypt, deriveRandom, enctypeProfile, kdfHmacSha2, nfold, prfAesSha2, usageConstant } from '../src/auth/kerberos/crypto/index.js';
import { usageKey } from '../src/auth/kerberos/crypto/rfc3961.js';
import { KerberosIntegrityError } from '../src/auth/kerberos/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const seq = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i));

describe('n-fold (RFC 3961 A.1)', () => {
  const vectors: [string, number, string][] = [
    ['012345', 64, 'be072631276b1955'],
    ['password', 56, '78a07b6caf85fa'],
    ['Rough Consensus, and Running Code', 64, 'bb6ed30870b7f0e0'],
    ['password', 168, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    ['MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 192, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    ['Q', 168, '518a54a215a8452a518a54a215a8452a518a54a215'],
    ['ba', 168, 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    ['kerberos', 64, '6b65726265726f73'],
    ['kerberos', 128, '6b65726265726f737b9b5b2b93132b93'],
    ['kerberos', 168, '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    ['kerberos', 256, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  for (const [input, bits, out] of vectors) {
    it(`${JSON.stringify(input)} to ${bits} bits`, () => {
      assert.equal(nfold(Buffer.from(input, 'latin1'), bits).toString('hex'), out);
    });
  }
});

describe('AES string-to-key (RFC 3962 App. B)', () => {
  const vectors: [number, Buffer | string, Buffer | string, string, string][] = [
    [1, 'password', 'ATHENA.MIT.EDUraeburn', '42263c6e89f4fc28b8df68ee09799f15', 'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161'],
    [2, 'password', 'ATHENA.MIT.EDUraeburn', 'c651bf29e2300ac27fa469d693bdda13', 'a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff'],
    [1200, 'password', 'ATHENA.MIT.EDUraeburn', '4c01cd46d632d01e6dbe230a01ed642a', '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a'],
    [5, 'password', hex('1234567878563412'), 'e9b23d52273747dd5c35cb55be619d8e', '97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31'],
    [1200, 'X'.repeat(64), 'pass phrase equals block size', '59d1bb789a828b1aa54ef9c2883f69ed', '89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34'],
    [1200, 'X'.repeat(65), 'pass phrase exceeds block size', 'cb8005dc5f90179a7f02104c0018751d', 'd78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b'],
    [50, hex('f09d849e').toString('utf8'), 'EXAMPLE.COMpianist', 'f149c1f2e154a73452d43e7fe62a56e5', '4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e'],
  ];
  for (const [iter, pass, salt, k128, k256] of vectors) {
    it(`${iter} iterations, salt ${typeof salt === 'string' ? salt : salt.toString('hex')}`, () => {
      const params = Buffer.alloc(4);
      params.writeUInt32BE(iter);
      assert.equal(enctypeProfile(17).stringToKey(String(pass), salt, params).value.toString('hex'), k128);
      assert.equal(enctypeProfile(18).stringToKey(String(pass), salt, params).value.toString('hex'), k256);
    });
  }
  it('AD-style salt with the default 4096 iterations (MIT kadmin keytab agrees)', () => {
    assert.equal(enctypeProfile(18).stringToKey('Passw0rd!', 'EXAMPLE.COMAdministrator').value.toString('hex'), '31c502e5143fc9647bc09d8a1d679f73422b61308c7ba3836d55f38154d98f64');
    assert.equal(enctypeProfile(17).stringToKey('Passw0rd!', 'EXAMPLE.COMAdministrator').value.toString('hex'), 'dcbd112e0590fff692310a4c98a4244a');
  });
  it('refuses absurd iteration counts from a KDC', () => {
    assert.throws(() => enctypeProfile(18).stringToKey('p', 's', hex('01000000')), /iteration count/);
    assert.throws(() => enctypeProfile(18).stringToKey('p', 's', hex('00000000')), /2\^32/);
  });
});

describe('AES-CTS (RFC 3962 App. B)', () => {
  const key = hex('636869636b656e207465726979616b69');
  const input = Buffer.from("I would like the General Gau's Chicken, please, and wonton soup.", 'latin1');
  const vectors: [number, string][] = [
    [17, 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    [31, 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    [32, '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    [47, '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    [48, '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [64, '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8'],
  ];
  for (const [n, out] of vectors) {
    it(`${n} bytes encrypt and decrypt`, () => {
      assert.equal(ctsEncrypt(key, input.subarray(0, n)).toString('hex'), out);
      assert.deepEqual(ctsDecrypt(key, hex(out)), input.subarray(0, n));
    });
  }
  it('one block is plain CBC and round-trips', () => {
    const block = input.subarray(0, 16);
    assert.deepEqual(ctsDecrypt(key, ctsEncrypt(key, block)), block);
  });
  it('a key used for many messages gives each the same result as a fresh cipher (the kept cipher restarts from the IV)', () => {
    // The cipher object per key is kept across messages; order, repetition and IVs must not leak between them.
    const iv = hex('000102030405060708090a0b0c0d0e0f');
    const fresh = (data: Buffer): string => {
      const c = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([c.update(data), c.final()]).toString('hex');
    };
    for (let round = 0; round < 3; round++) {
      for (const [n, out] of [...vectors].reverse()) {
        assert.equal(ctsEncrypt(key, input.subarray(0, n)).toString('hex'), out);
        assert.equal(ctsEncrypt(key, input.subarray(0, 16), iv).toString('hex'), fresh(input.subarray(0, 16)));
        assert.deepEqual(ctsDecrypt(key, hex(out)), input.subarray(0, n));
        assert.deepEqual(ctsDecrypt(key, ctsEncrypt(key, input.subarray(0, n), iv), iv), input.subarray(0, n));
      }
    }
  });
  it('every length from 16 to 100 octets matches CBC with the last two blocks swapped (RFC 3962 5), any IV, and decrypts back', () => {
    const iv = hex('0f0e0d0c0b0a09080706050403020100');
    const long = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
    for (const [k, v] of [[key, undefined], [hex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'), iv]] as const) {
      for (let n = 16; n <= 100; n++) {
        const plain = long.subarray(0, n);
        // Reference: CBC over the zero-padded input; Cn, then C(n-1) cut to the last block's length.
        const padded = Buffer.concat([plain, Buffer.alloc((16 - (n % 16)) % 16)]);
        const c = createCipheriv(`aes-${k.length * 8}-cbc`, k, v ?? Buffer.alloc(16)).setAutoPadding(false);
        const cbc = Buffer.concat([c.update(padded), c.final()]);
        const blocks = cbc.length / 16;
        const last = n - (blocks - 1) * 16;
        const expected = blocks === 1 ? cbc : Buffer.concat([cbc.subarray(0, (blocks - 2) * 16), cbc.subarray((blocks - 1) * 16), cbc.subarray((blocks - 2) * 16, (blocks - 2) * 16 + last)]);
        const ct = ctsEncrypt(k, plain, v);
        assert.equal(ct.toString('hex'), expected.toString('hex'), `${n} octets`);
        const before = ct.toString('hex');
        assert.deepEqual(ctsDecrypt(k, ct, v), plain, `${n} octets decrypt`);
        assert.equal(ct.toString('hex'), before, 'decryption reads the ciphertext, never writes it');
      }
    }
  });
  it('per-usage keys (Ke, Ki, Kc) are DK(key, usage ‖ kind) as RFC 3961 5.3 defines them', () => {
    const k = hex('b1ae4cd8462aff1677053cc9279aac30b796fb81ce21474dd3ddbcfea4ec76d7');
    for (const usage of [0, 2, 22, 24, 0x7fffffff, 0xffffffff]) {
      for (const kind of [0x99, 0xaa, 0x55] as const) {
        assert.equal(usageKey(k, usage, kind).toString('hex'), deriveRandom(k, usageConstant(usage, kind), 32).toString('hex'), `usage ${usage} kind ${kind.toString(16)}`);
      }
    }
  });
});

describe('AES-SHA1 encryption and checksums (krb5 t_decrypt, t_cksums)', () => {
  const vectors: [number, string, number, string, string, string][] = [
    [17, '5a5c0f0ba54f3828b2195e66ca24a289', 0, '', '814fc74e38526a9c5922c0ee1677e36d', '49ff8e11c173d9583a3254fbe7b1f1df36c538e8416784a1672e6676'],
    [17, '9062430c8cda3388922e6d6a509f5b7a', 2, '9 bytesss', '94b491f481485b9a0678cd3c4ea386ad', '68fb9679601f45c78857b2bf820fd6e53eca8d42fd4b1d7024a09205abb7cd2ec26c355d2f'],
    [18, 'b1ae4cd8462aff1677053cc9279aac30b796fb81ce21474dd3ddbcfea4ec76d7', 2, '9 bytesss', '99201e21f348a16c5a0b13a70e7ce5b2', '09957aa25fcaf88f7b39e4406e633012d5fea21853f6478da7065caef41fd454a40824eec5'],
    [18, 'e5a72be9b7926c1225bafef9c1872e7ba4cdb2b17893d84abd90acdd8764d966', 3, '13 bytes byte', '303c559dca743b6a2e4482adf2c4a86c', 'd8f1aafeec84587cc3e700a774e56651a6d693e174ec4473b5e6d96f80297a653fb818ad893e719f96'],
  ];
  for (const [etype, k, usage, plain, conf, ct] of vectors) {
    it(`etype ${etype} usage ${usage} ${JSON.stringify(plain)}`, () => {
      const p = enctypeProfile(etype);
      const key = { etype, value: hex(k) };
      assert.equal(p.encrypt(key, usage, Buffer.from(plain), hex(conf)).toString('hex'), ct);
      assert.equal(p.decrypt(key, usage, hex(ct)).toString(), plain);
    });
  }
  it('checksums', () => {
    assert.equal(enctypeProfile(17).checksum({ etype: 17, value: hex('9062430c8cda3388922e6d6a509f5b7a') }, 3, Buffer.from('eight nine ten eleven twelve thirteen')).toString('hex'), '01a4b088d45628f6946614e3');
    assert.equal(enctypeProfile(18).checksum({ etype: 18, value: hex('b1ae4cd8462aff1677053cc9279aac30b796fb81ce21474dd3ddbcfea4ec76d7') }, 4, Buffer.from('fourteen')).toString('hex'), 'e08739e3279e2903ec8e3836');
  });
  it('a flipped bit or a wrong usage fails the integrity check', () => {
    const p = enctypeProfile(18);
    const key = p.randomKey();
    const ct = p.encrypt(key, 11, Buffer.from('authenticator'));
    assert.equal(p.decrypt(key, 11, ct).toString(), 'authenticator');
    assert.throws(() => p.decrypt(key, 12, ct), KerberosIntegrityError);
    ct[3]! ^= 1;
    assert.throws(() => p.decrypt(key, 11, ct), KerberosIntegrityError);
    assert.throws(() => p.decrypt(key, 11, ct.subarray(0, 20)), KerberosIntegrityError);
  });
});

describe('AES-SHA2 (RFC 8009 App. A)', () => {
  const salt = Buffer.concat([hex('10df9dd783e5bc8acea1730e74355f61'), Buffer.from('ATHENA.MIT.EDUraeburn')]);
  it('string-to-key, 32768 iterations', () => {
    assert.equal(enctypeProfile(19).stringToKey('password', salt).value.toString('hex'), '089bca48b105ea6ea77ca5d2f39dc5e7');
    assert.equal(enctypeProfile(20).stringToKey('password', salt).value.toString('hex'), '45bd806dbf6a833a9cffc1c94589a222367a79bc21c413718906e9f578a78467');
  });
  it('key derivation, usage 2', () => {
    const b19 = hex('3705d96080c17728a0e800eab6e0d23c');
    assert.equal(kdfHmacSha2('sha256', b19, usageConstant(2, 0x99), 16).toString('hex'), 'b31a018a48f54776f403e9a396325dc3');
    assert.equal(kdfHmacSha2('sha256', b19, usageConstant(2, 0xaa), 16).toString('hex'), '9b197dd1e8c5609d6e67c3e37c62c72e');
    assert.equal(kdfHmacSha2('sha256', b19, usageConstant(2, 0x55), 16).toString('hex'), '9fda0e56ab2d85e1569a688696c26a6c');
    const b20 = hex('6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52');
    assert.equal(kdfHmacSha2('sha384', b20, usageConstant(2, 0x99), 24).toString('hex'), 'ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d');
    assert.equal(kdfHmacSha2('sha384', b20, usageConstant(2, 0xaa), 32).toString('hex'), '56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49');
    assert.equal(kdfHmacSha2('sha384', b20, usageConstant(2, 0x55), 24).toString('hex'), '69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f');
  });
  const base: Record<number, string> = { 19: '3705d96080c17728a0e800eab6e0d23c', 20: '6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52' };
  const vectors: [number, number, string, string][] = [
    [19, 0, '7e5895eaf2672435bad817f545a37148', 'ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718'],
    [19, 6, '7bca285e2fd4130fb55b1a5c83bc5b24', '84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4421dfdf8976c'],
    [19, 16, '56ab21713ff62c0a1457200f6fa9948f', '3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc295fb4852e7d83e1e7c48c37eebe6b0d3'],
    [19, 21, 'a7a4e29a4728ce10664fb64e49ad3fac', '720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bce1e6d072c186b39a413c2f92ca9b8334a287ffcbfc'],
    [20, 0, 'f764e9fa15c276478b2c7d0c4e5f58e4', '41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac612748b9bbfbe7eb4ce3c'],
    [20, 6, 'b80d3251c1f6471494256ffe712d0b9a', '4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b6092237526ea0d1f61cb20d69d10f2'],
    [20, 16, '53bf8a0d105265d4e276428624ce5e63', 'bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f68cf51f14d798c2273f35df574d1f932e40c4ff255b36a266'],
    [20, 21, '763e65367e864f02f55153c7e3b58af1', '40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62'],
  ];
  for (const [etype, n, conf, ct] of vectors) {
    it(`etype ${etype} encrypt/decrypt ${n} bytes`, () => {
      const key = { etype, value: hex(base[etype]!) };
      const p = enctypeProfile(etype);
      assert.equal(p.encrypt(key, 2, seq(n), hex(conf)).toString('hex'), ct);
      assert.deepEqual(p.decrypt(key, 2, hex(ct)), seq(n));
    });
  }
  it('checksums and PRF', () => {
    assert.equal(enctypeProfile(19).checksum({ etype: 19, value: hex(base[19]!) }, 2, seq(21)).toString('hex'), 'd78367186643d67b411cba9139fc1dee');
    assert.equal(enctypeProfile(20).checksum({ etype: 20, value: hex(base[20]!) }, 2, seq(21)).toString('hex'), '45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a');
    assert.equal(prfAesSha2(19, hex(base[19]!), Buffer.from('test')).toString('hex'), '9d188616f63852fe86915bb840b4a886ff3e6bb0f819b49b893393d393854295');
    assert.equal(prfAesSha2(20, hex(base[20]!), Buffer.from('test')).toString('hex'), '9801f69a368c2bf675e59521e177d9a07f67efe1cfde8d3c8d6f6a0256e3b17db3c1b62ad1b8553360d17367eb1514d2');
  });
});

describe('RC4-HMAC (RFC 4757, krb5 vectors)', () => {
  const p = enctypeProfile(23);
  it('string-to-key is MD4 of UTF-16LE', () => {
    assert.equal(p.stringToKey('foo', 'ignored').value.toString('hex'), 'ac8e657f83df82beea5d43bdaf7800cc');
  });
  it('encrypt/decrypt', () => {
    const key = { etype: 23, value: hex('3e40ab6093695281b3ac1a9304224d98') };
    const ct = '0f9ad121d99d4a09448e4f1f718c4f5cbe6096262c66f29df232a87c9f98755d55';
    assert.equal(p.encrypt(key, 2, Buffer.from('9 bytesss'), hex('2e449b546f075cfd')).toString('hex'), ct);
    assert.equal(p.decrypt(key, 2, hex(ct)).toString(), '9 bytesss');
    assert.throws(() => p.decrypt(key, 4, hex(ct)), KerberosIntegrityError);
  });
  it('hmac-md5 checksum', () => {
    assert.equal(p.checksum({ etype: 23, value: hex('f7d3a155af5e238a0b7a871a96ba2ab2') }, 6, Buffer.from('seventeen eighteen nineteen twenty')).toString('hex'), 'eb38cc97e2230f59da4117dc5859d7ec');
  });
});
