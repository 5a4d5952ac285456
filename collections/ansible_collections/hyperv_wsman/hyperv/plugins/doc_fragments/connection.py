# -*- coding: utf-8 -*-
# The connection options every hyperv_wsman.hyperv module takes (plugins/module_utils/hyperv_wsman.py).
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  host:
    description: Hyper-V host name or address (WinRM endpoint).
    type: str
    required: true
  port:
    description: WinRM port. Default 5985 for http, 5986 for https.
    type: int
  scheme:
    description: C(http) or C(https). Default https, or http when I(port) is 5985.
    type: str
    choices: [http, https]
  path:
    description: WS-Management path. Default C(/wsman).
    type: str
  transport:
    description:
      - Authentication, as the winrm connection's C(ansible_winrm_transport). Default C(ntlm); C(basic) needs https.
      - C(certificate) authenticates with I(cert_pem) and I(cert_key_pem) over https, with no user or password.
      - C(kerberos) uses a Kerberos ticket for C(HTTP/host), got with I(password), else I(keytab), else the controller's
        credential cache (C(kinit); C($KRB5CCNAME)). C(negotiate) tries Kerberos first and falls back to NTLM when no
        ticket can be had and a I(password) is given, as Windows does.
    type: str
    choices: [ntlm, basic, certificate, kerberos, negotiate]
  user:
    description:
      - User, C(DOMAIN\\user), C(user@domain) or a local user. Required unless I(transport=certificate).
      - With I(transport=kerberos) or C(negotiate), C(user@REALM); optional when the keytab or credential cache names it.
    type: str
    aliases: [username]
  password:
    description:
      - Password of I(user). Passed to the CLI on its standard input, never on a command line; never logged or returned.
      - Required unless I(transport=certificate), or I(transport=kerberos) or C(negotiate) with a keytab or a credential cache.
    type: str
  cert_pem:
    description: PEM file of the client certificate, as C(ansible_winrm_cert_pem) (I(transport=certificate)).
    type: path
  cert_key_pem:
    description: PEM file of its private key, as C(ansible_winrm_cert_key_pem).
    type: path
  cert_key_password:
    description: Passphrase of an encrypted I(cert_key_pem); passed in the CLI's environment, never on a command line.
    type: str
  client_cert_negotiation:
    description:
      - When the host asks for the client certificate. C(renegotiation) (default) keeps TLS 1.2, as hosts that ask after
        the request need; C(handshake) for hosts with C(clientcertnegotiation=enable).
    type: str
    choices: [renegotiation, handshake]
  message_encryption:
    description: WinRM message encryption, as C(ansible_winrm_message_encryption). C(auto) encrypts over http only.
    type: str
    choices: [auto, always, never]
  server_cert_validation:
    description: TLS certificate checks, as C(ansible_winrm_server_cert_validation). Default C(validate); C(ignore) is for lab hosts only.
    type: str
    choices: [validate, ignore]
  ca_trust_path:
    description: PEM file of the CA certificates to trust, as C(ansible_winrm_ca_trust_path).
    type: path
  send_cbt:
    description: NTLM channel binding over https, as C(ansible_winrm_send_cbt). Default true.
    type: bool
  allow_unencrypted:
    description: Allow clear-text SOAP and credentials over http (lab hosts only).
    type: bool
  operation_timeout_sec:
    description: WS-Management OperationTimeout of each request in seconds, as C(ansible_winrm_operation_timeout_sec). Default 20.
    type: int
    aliases: [operation_timeout]
  read_timeout_sec:
    description: HTTP read timeout in seconds, as C(ansible_winrm_read_timeout_sec). Default the operation timeout + 10.
    type: int
    aliases: [read_timeout]
  connect_timeout_sec:
    description: TCP/TLS connect timeout in seconds. Default 30.
    type: int
    aliases: [connect_timeout]
  proxy:
    description:
      - HTTP CONNECT proxy, C(http://host:port), or C(http://user:password@host:port) for a proxy that wants credentials.
      - Credentials in it reach the CLI in its environment (C(HTTPS_PROXY) with C(--proxy-from-env)), never on its command line;
        the option is no_log.
    type: str
  kerberos_hostname_override:
    description:
      - Host name for the service principal when I(host) is an IP address or an alias, as C(ansible_winrm_kerberos_hostname_override)
        (the name the computer is registered under in the domain). Kerberos transports only.
    type: str
  kerberos_service:
    description: Service class of the principal, C(HTTP) (default) or C(WSMAN), as C(ansible_winrm_service). Kerberos transports only.
    type: str
    aliases: [service]
  kerberos_delegation:
    description:
      - As C(ansible_winrm_kerberos_delegation). Delegate the user's credentials (a forwarded TGT) to the host, for a second hop
        from it (a VHD on an SMB share, a live migration). Needs a forwardable TGT (C(kinit -f) for the credential cache).
      - Delegates even when the domain has not marked the host trusted for delegation (ok-as-delegate), as pywinrm does.
        Kerberos transports only.
    type: bool
  kdc:
    description: KDCs, C(host) or C(host:port), instead of krb5.conf and DNS SRV records. Kerberos transports only.
    type: list
    elements: str
  keytab:
    description: Client keytab file with the keys of I(user) (instead of a password). Kerberos transports only.
    type: path
  krb5_config:
    description: krb5.conf to read instead of C($KRB5_CONFIG) or C(/etc/krb5.conf). Kerberos transports only.
    type: path
  executable:
    description: Path of the C(hyperv-wsman) CLI. Default the one on the controller's PATH.
    type: path
notes:
  - "Runs on the controller: use C(delegate_to: localhost) (or a play on localhost). Nothing is installed on the Hyper-V host."
  - "Requires the C(hyperv-wsman) CLI (Node.js >= 20.19) on the controller."
  - "Set the connection once for every module with C(module_defaults) and the action group C(group/hyperv_wsman.hyperv.hyperv)."
  - "Kerberos needs no system library: the CLI speaks it itself, reading the same krb5.conf, credential cache and keytab files as MIT krb5."
'''
