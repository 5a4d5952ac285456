# -*- coding: utf-8 -*-
# Shared by every module of hyperv_wsman.hyperv: the connection options (named as those of Ansible's
# winrm connection), and running the installed hyperv-wsman CLI with --json, the password on stdin.
# The modules hold no WS-Management logic: the CLI (and the library behind it) is the one implementation.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

# Exit codes of the CLI (src/cli/exit-codes.ts, documented in docs/cli-json.md).
EXIT = dict(OK=0, INTERNAL=1, USAGE=2, JOB_FAILED=3, AUTH=4, CONNECTION=5, WSMAN_FAULT=6, NOT_FOUND=7, JOB_TIMEOUT=8, METHOD_FAILED=9)

# The error code a task reports for the exit codes that carry a document rather than an error line.
ERROR_CODE_BY_EXIT = {EXIT['JOB_FAILED']: 'ERR_JOB_FAILED', EXIT['JOB_TIMEOUT']: 'ERR_JOB_TIMEOUT', EXIT['METHOD_FAILED']: 'ERR_METHOD_FAILED'}

CLI_NAME = 'hyperv-wsman'

# Option -> (CLI flag, how to pass it). Every module takes these.
CONNECTION_ARGUMENT_SPEC = dict(
    host=dict(type='str', required=True),
    port=dict(type='int'),
    scheme=dict(type='str', choices=['http', 'https']),
    path=dict(type='str'),
    transport=dict(type='str', choices=['ntlm', 'basic', 'certificate', 'kerberos', 'negotiate']),
    user=dict(type='str', aliases=['username']),
    password=dict(type='str', no_log=True),
    cert_pem=dict(type='path'),
    cert_key_pem=dict(type='path'),
    cert_key_password=dict(type='str', no_log=True),
    client_cert_negotiation=dict(type='str', choices=['renegotiation', 'handshake']),
    message_encryption=dict(type='str', choices=['auto', 'always', 'never']),
    server_cert_validation=dict(type='str', choices=['validate', 'ignore']),
    ca_trust_path=dict(type='path'),
    send_cbt=dict(type='bool'),
    allow_unencrypted=dict(type='bool'),
    operation_timeout_sec=dict(type='int', aliases=['operation_timeout']),
    read_timeout_sec=dict(type='int', aliases=['read_timeout']),
    connect_timeout_sec=dict(type='int', aliases=['connect_timeout']),
    # no_log: a proxy URL may carry the proxy's credentials (user:password@), which -v would show.
    proxy=dict(type='str', no_log=True),
    kerberos_hostname_override=dict(type='str'),
    kerberos_service=dict(type='str', aliases=['service']),
    kerberos_delegation=dict(type='bool'),
    kdc=dict(type='list', elements='str'),
    keytab=dict(type='path'),
    krb5_config=dict(type='path'),
    executable=dict(type='path'),
)

# Transports that authenticate with a Kerberos ticket (negotiate: Kerberos, else NTLM with the password).
KERBEROS_TRANSPORTS = ('kerberos', 'negotiate')

_VALUE_FLAGS = (
    ('host', '--host'),
    ('port', '--port'),
    ('scheme', '--scheme'),
    ('path', '--path'),
    ('transport', '--transport'),
    ('user', '--user'),
    ('message_encryption', '--message-encryption'),
    ('server_cert_validation', '--server-cert-validation'),
    ('ca_trust_path', '--ca-trust-path'),
    ('cert_pem', '--cert-pem'),
    ('cert_key_pem', '--cert-key-pem'),
    ('client_cert_negotiation', '--client-cert-negotiation'),
    ('operation_timeout_sec', '--operation-timeout'),
    ('read_timeout_sec', '--read-timeout'),
    ('connect_timeout_sec', '--connect-timeout'),
    ('kerberos_hostname_override', '--kerberos-hostname-override'),
    ('kerberos_service', '--kerberos-service'),
    ('keytab', '--keytab'),
    ('krb5_config', '--krb5-config'),
)


# The CLI's flags by the module option that sets them, so that the CLI's messages (its checks are the only
# implementation of which setting goes with which transport) reach the task in the module's words.
_OPTION_OF_FLAG = dict((flag, name) for name, flag in _VALUE_FLAGS)
_OPTION_OF_FLAG.update({'--send-cbt': 'send_cbt', '--no-send-cbt': 'send_cbt: false', '--allow-unencrypted': 'allow_unencrypted',
                        '--kerberos-delegation': 'kerberos_delegation', '--kdc': 'kdc', '--password-stdin': 'password',
                        '--cert-key-password-file': 'cert_key_password', '--read-timeout': 'read_timeout_sec',
                        '--operation-timeout': 'operation_timeout_sec', '--connect-timeout': 'connect_timeout_sec'})


def in_module_words(message):
    """A CLI message with each of the CLI's flags named as the module option that sets it."""
    return re.sub(r'--[a-z][a-z0-9-]*', lambda m: _OPTION_OF_FLAG.get(m.group(0), m.group(0)), message)


def argument_spec(**module_options):
    """The connection options plus the module's own."""
    spec = dict(CONNECTION_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


# scheme://user[:password]@host: credentials in the authority of a URL.
_URL_CREDENTIALS = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@')


def proxy_has_credentials(proxy):
    return bool(proxy) and _URL_CREDENTIALS.match(proxy) is not None


def connection_args(params):
    """CLI flags for the connection; the password is not among them (it goes on stdin), nor proxy credentials (environment)."""
    args = []
    for name, flag in _VALUE_FLAGS:
        value = params.get(name)
        if value is not None:
            args.extend([flag, str(value)])
    proxy = params.get('proxy')
    if proxy:
        # The CLI refuses proxy credentials on its command line (ps shows argv): they go in its environment.
        args.extend(['--proxy-from-env'] if proxy_has_credentials(proxy) else ['--proxy', proxy])
    if params.get('kdc'):
        args.extend(['--kdc', ','.join(params['kdc'])])
    if params.get('send_cbt') is False:
        args.append('--no-send-cbt')
    if params.get('allow_unencrypted'):
        args.append('--allow-unencrypted')
    if params.get('kerberos_delegation'):
        args.append('--kerberos-delegation')
    return args


def json_documents(text):
    """Every JSON document of the CLI's stdout (one per line)."""
    docs = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                docs.append(json.loads(line))
            except ValueError:
                pass
    return docs


class CliResult(object):
    def __init__(self, rc, docs, stderr):
        self.rc = rc
        self.docs = docs
        self.stderr = stderr

    @property
    def error(self):
        """The CLI's {"error": {"code", "message"}} document, if it printed one."""
        for doc in self.docs:
            if isinstance(doc, dict) and isinstance(doc.get('error'), dict) and set(doc) == {'error'}:
                return doc['error']
        return None

    def stderr_message(self):
        lines = [l for l in self.stderr.splitlines() if l.startswith(CLI_NAME + ': ')]
        return lines[-1][len(CLI_NAME) + 2:] if lines else self.stderr.strip()


class HypervWsmanCli(object):
    """Runs `hyperv-wsman <command> ... --json --password-stdin` for an AnsibleModule."""

    def __init__(self, module):
        self.module = module
        self.executable = module.params.get('executable') or module.get_bin_path(CLI_NAME)
        if not self.executable:
            module.fail_json(msg='Cannot find the %s command on the PATH of the controller. Install it (npm install -g hyperv-wsman) '
                                 'or set the executable option to its path.' % CLI_NAME)
        params = module.params
        transport = params.get('transport')
        kerberos_only = [name for name in ('kerberos_hostname_override', 'kerberos_service', 'kerberos_delegation', 'kdc', 'keytab', 'krb5_config') if params.get(name)]
        if kerberos_only and transport not in KERBEROS_TRANSPORTS:
            module.fail_json(msg='%s only apply with transport kerberos or negotiate.' % ', '.join(kerberos_only))
        if transport == 'certificate':
            missing = [name for name in ('cert_pem', 'cert_key_pem') if not params.get(name)]
            if missing:
                module.fail_json(msg='transport certificate needs %s.' % ' and '.join(missing))
        elif transport in KERBEROS_TRANSPORTS:
            # A password (AS exchange), else keytab, else the credential cache ($KRB5CCNAME) of the controller;
            # the user may come from the keytab or the cache.
            pass
        else:
            missing = [name for name in ('user', 'password') if params.get(name) is None]
            if missing:
                module.fail_json(msg='%s required (or transport certificate with cert_pem and cert_key_pem, or transport kerberos '
                                     'with a keytab or a credential cache).' % ' and '.join(missing))

    def run(self, command_args):
        """Run a command with --json; returns a CliResult. Never puts the password on the command line."""
        params = self.module.params
        # Kerberos without a password uses the keytab or the credential cache: no password to pass then.
        no_password = params.get('password') is None and params.get('transport') in KERBEROS_TRANSPORTS
        argv = [self.executable] + list(command_args) + connection_args(params) + ['--json'] + ([] if no_password else ['--password-stdin'])
        # The CLI reads stdin to its end and drops one trailing newline; a config file profile never applies
        # unless the user named it, since flags are given for everything the task set.
        # Secrets travel on stdin (the password) or in the child's environment (a key passphrase), never in argv.
        environ = {'HYPERV_WSMAN_PASSWORD': '', 'HYPERV_WSMAN_CERT_KEY_PASSWORD': params.get('cert_key_password') or '', 'NO_COLOR': '1'}
        if not params.get('cert_key_password'):
            del environ['HYPERV_WSMAN_CERT_KEY_PASSWORD']
        if proxy_has_credentials(params.get('proxy')):
            # Read by --proxy-from-env; NO_PROXY emptied so the controller's own cannot bypass the proxy asked for.
            environ.update({'HTTPS_PROXY': params['proxy'], 'HTTP_PROXY': params['proxy'], 'NO_PROXY': ''})
        rc, out, err = self.module.run_command(argv, data=params.get('password') or '', binary_data=False, environ_update=environ)
        return CliResult(rc, json_documents(out), err)

    def fail(self, result, **extra):
        """Fail the task with the CLI's error: its code, message and exit code."""
        error = result.error or {}
        msg = in_module_words(error.get('message') or result.stderr_message() or '%s exited with %s' % (CLI_NAME, result.rc))
        self.module.fail_json(msg=msg, error_code=error.get('code') or ERROR_CODE_BY_EXIT.get(result.rc), rc=result.rc, **extra)


def job_id_args(params):
    """The job addressed: its InstanceID, and the class when given."""
    args = [params['job_id']]
    if params.get('job_class'):
        args.extend(['--job-class', params['job_class']])
    return args


JOB_ARGUMENT_SPEC = dict(
    job_id=dict(type='str', required=True, aliases=['instance_id']),
    job_class=dict(type='str'),
)
