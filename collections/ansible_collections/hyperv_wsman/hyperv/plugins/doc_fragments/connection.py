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
    type: str
    choices: [ntlm, basic, certificate]
  user:
    description: User, C(DOMAIN\\user), C(user@domain) or a local user. Required unless I(transport=certificate).
    type: str
    aliases: [username]
  password:
    description:
      - Password of I(user). Passed to the CLI on its standard input, never on a command line; never logged or returned.
      - Required unless I(transport=certificate).
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
    description: HTTP CONNECT proxy, C(http://host:port) (no credentials in it).
    type: str
  executable:
    description: Path of the C(hyperv-wsman) CLI. Default the one on the controller's PATH.
    type: path
notes:
  - "Runs on the controller: use C(delegate_to: localhost) (or a play on localhost). Nothing is installed on the Hyper-V host."
  - "Requires the C(hyperv-wsman) CLI (Node.js >= 20.19) on the controller."
  - "Set the connection once for every module with C(module_defaults) and the action group C(group/hyperv_wsman.hyperv.hyperv)."
'''
