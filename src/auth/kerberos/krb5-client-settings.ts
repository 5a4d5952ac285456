/**
 * krb5.conf as KdcClient options: the enctype list cut to the enctypes this client implements
 * (keeping krb5.conf's preference order), the UDP preference limit and the ticket lifetime. MIT's
 * default list names enctypes we do not implement (des3, camellia); they are dropped here, not
 * refused, because the user did not ask for them.
 */
import { Krb5ConfigError } from '../../errors.js';
import { isSupportedEnctype } from './crypto/index.js';
import type { KdcClientOptions } from './kdc-client.js';
import { enctypeName, type Krb5Config } from './krb5-conf.js';
import type { KdcAddress } from './types.js';

export function kdcClientSettings(config: Krb5Config, kdcs: readonly KdcAddress[], extra: Partial<KdcClientOptions> = {}): KdcClientOptions {
  const enctypes = config.defaultTktEnctypes.filter(isSupportedEnctype);
  if (enctypes.length === 0) {
    const listed = config.defaultTktEnctypes.map(enctypeName).join(' ') || '(none)';
    throw new Krb5ConfigError(
      config.files[0] ?? '<krb5.conf defaults>',
      0,
      `default_tkt_enctypes / permitted_enctypes allow ${listed}; this client implements aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha384-192, aes128-cts-hmac-sha256-128 and arcfour-hmac: allow at least one of them.`,
    );
  }
  return { kdcs, enctypes, udpPreferenceLimit: config.udpPreferenceLimit, ticketLifetimeSeconds: config.ticketLifetime, ...extra };
}
