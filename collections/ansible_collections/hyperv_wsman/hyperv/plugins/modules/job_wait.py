#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: job_wait
short_description: Wait for a Hyper-V job to end; fail with its decoded error if it failed
description:
  - Polls a Hyper-V job over WS-Management until it ends (C(hyperv-wsman job-wait --json)).
  - Succeeds when the job completed; fails when it ended Terminated, Killed or Exception (or with an error code), with the
    decoded C(Msvm_Error) in I(job_error) and the I(outcome), whose reason falls back on the job's own C(ErrorDescription)
    when the host kept no error; fails when it did not end within I(timeout).
version_added: 0.1.0
author: hyperv-wsman contributors
extends_documentation_fragment:
  - hyperv_wsman.hyperv.connection
  - hyperv_wsman.hyperv.job
options:
  timeout:
    description: Seconds to wait before failing with C(ERR_JOB_TIMEOUT); the job may still be running then.
    type: int
    default: 3600
  poll_interval:
    description: First poll interval in seconds; it grows 1.5 times per poll up to 5 seconds.
    type: float
    default: 0.25
attributes:
  check_mode:
    support: full
    description: Only reads; waits the same in check mode.
'''

EXAMPLES = r'''
- name: Wait for the live migration
  hyperv_wsman.hyperv.job_wait:
    job_id: "{{ migration_job_id }}"
    job_class: Msvm_MigrationJob
    timeout: 600
  delegate_to: localhost
  register: migration
  ignore_errors: true

- name: Why it failed
  ansible.builtin.debug:
    msg: "{{ migration.outcome.reason }}"
  when: migration is failed
'''

RETURN = r'''
msg:
  description: How the job ended, in one line.
  returned: always
  type: str
status:
  description: C(completed), C(failed) or C(timeout).
  returned: when the job was found
  type: str
job:
  description: The job as last seen (C(jobClass), C(instanceId), C(jobState), C(jobStateName), C(percentComplete), C(errorCode), ...).
  returned: when the job was found
  type: dict
outcome:
  description: Did the job fail, and why (see the job_error module); for a failed job it includes GetError's answer.
  returned: when the job was found
  type: dict
job_error:
  description: GetError's answer for a failed job, as the job_error module returns it; null otherwise.
  returned: when the job was found
  type: dict
error_code:
  description: C(ERR_JOB_FAILED), C(ERR_JOB_TIMEOUT), or the CLI's error code when the job could not be asked about.
  returned: on failure
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hyperv_wsman.hyperv.plugins.module_utils.hyperv_wsman import (
    ERROR_CODE_BY_EXIT, EXIT, JOB_ARGUMENT_SPEC, HypervWsmanCli, argument_spec, job_id_args)


def main():
    module = AnsibleModule(argument_spec=argument_spec(timeout=dict(type='int', default=3600),
                                                       poll_interval=dict(type='float', default=0.25),
                                                       **JOB_ARGUMENT_SPEC),
                           supports_check_mode=True)
    if module.params['timeout'] <= 0 or module.params['poll_interval'] <= 0:
        module.fail_json(msg='timeout and poll_interval must be positive numbers of seconds.')
    cli = HypervWsmanCli(module)
    result = cli.run(['job-wait'] + job_id_args(module.params)
                     + ['--timeout', str(module.params['timeout']), '--poll-interval', str(module.params['poll_interval'])])
    final = next((d for d in reversed(result.docs) if isinstance(d, dict) and d.get('type') == 'result'), None)
    if final is None:
        cli.fail(result)
    ret = dict(status=final['status'], job=final.get('job'), outcome=final.get('outcome'), job_error=final.get('error'))
    if result.rc == EXIT['OK']:
        module.exit_json(changed=False, msg=final['message'], **ret)
    outcome = final.get('outcome') or {}
    msg = outcome.get('summary') if final['status'] == 'failed' and outcome.get('summary') else final['message']
    module.fail_json(msg=msg, error_code=ERROR_CODE_BY_EXIT.get(result.rc), rc=result.rc, **ret)


if __name__ == '__main__':
    main()
