/**
 * The MIT set-up several interop tests share: a real MIT KDC (mit-kdc.ts) and the emulated host
 * accepting with the service keytab MIT's kadmin exported, started in the enclosing suite's before
 * hook and stopped in its after hook. Read `mit` and `host` inside the tests.
 */
import { after, before } from 'node:test';
import { startEmulatedHost, type EmulatedHost } from '../../src/emulator/index.js';
import { startMitKdc, type MitRealm } from './mit-kdc.js';

export function mitRealmAndHostForSuite(): { readonly mit: MitRealm; readonly host: EmulatedHost } {
  let mit: MitRealm | undefined;
  let host: EmulatedHost | undefined;
  before(async () => {
    mit = await startMitKdc();
    host = await startEmulatedHost({ kerberos: { realm: mit.realm, keytab: mit.service.keytab } });
  });
  after(async () => {
    await host?.close();
    await mit?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the MIT realm and host are read before their before() hook ran (or it failed)');
    return value;
  };
  return {
    get mit() {
      return started(mit);
    },
    get host() {
      return started(host);
    },
  };
}
