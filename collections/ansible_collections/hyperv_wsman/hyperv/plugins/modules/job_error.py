#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: job_error
short_description: Did a Hyper-V job fail, and why (GetError / GetErrorEx, decoded)
description:
  - Reads a Hyper-V job (C(Msvm_ConcreteJob), C(Msvm_MigrationJob), or any job class) over WS-Management and
    calls its C(GetError) method (C(GetErrorEx) with I(all_errors)), through C(hyperv-wsman job-error --json).
  - Returns the decoded C(Msvm_Error) and the job's I(outcome) (succeeded / failed / running / unknown, with a reason).
    When the host kept no C(Msvm_Error) for a failed job, the reason is the job's own C(ErrorDescription).
  - Also returns what the job works on (I(affected_elements), the VM through C(Msvm_AffectedJobElement); one more request).
  - A failed job is not a task failure (this module only reports); the task fails when the job cannot be asked about,
    or when GetError itself returns non-zero (for example 32769 Access Denied).
version_added: 0.1.0
author: hyperv-wsman contributors
extends_documentation_fragment:
  - hyperv_wsman.hyperv.connection
  - hyperv_wsman.hyperv.job
options:
  all_errors:
    description: Every error (C(GetErrorEx)) instead of the first (C(GetError)).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
'''

EXAMPLES = r'''
- name: Why did the job fail?
  hyperv_wsman.hyperv.job_error:
    host: hv01.example.com
    user: LAB\automation
    password: "{{ vault_hyperv_password }}"
    job_id: 4E7B2A9C-5D1F-4C83-A6E0-9B3D7F2C1A68
  delegate_to: localhost
  register: why

- name: Say it
  ansible.builtin.debug:
    msg: "{{ why.outcome.reason }}"
  when: why.outcome.status == 'failed'
'''

RETURN = r'''
msg:
  description: The outcome in one line, which job, whether it failed, and why (the outcome's summary).
  returned: always
  type: str
outcome:
  description:
    - Did the job fail, and why (docs/cli-json.md, "The job outcome").
    - C(status) is C(succeeded), C(failed), C(running) or C(unknown); C(reason) and C(source) (C(msvm-error), C(job-properties), C(job-state), C(none)) say why;
      C(returnValue) is what GetError returned; C(notes) qualify the answer.
  returned: when the host answered
  type: dict
  sample: {status: failed, reason: "'sql02' failed to start.", source: job-properties, returnValue: 0, errorRead: true, notes: []}
job_error:
  description:
    - The C(hyperv-wsman job-error --json) document, C({jobClass, instanceId, returnValue, returnValueName, error, method, outcome})
      (C(errors) instead of C(error) with I(all_errors)).
    - C(error) is the decoded C(Msvm_Error) (C(className), C(properties), C(valueMapNames)) or null when the host returned none,
      which does not mean the job is fine (see I(outcome)).
  returned: when the host answered
  type: dict
affected_elements:
  description:
    - What the job works on, through C(Msvm_AffectedJobElement) (docs/cli-json.md, C(affectedElements)); each element's C(className)
      (C(Msvm_ComputerSystem) for a VM), C(name) (the VM's GUID) and C(elementName) (the VM's name).
    - C([]) when the host names none (always for C(Msvm_MigrationJob)); null when the host refused the query.
  returned: when the host answered
  type: list
  elements: dict
  sample: [{className: Msvm_ComputerSystem, name: B6E2F8A1-0C4D-4E7A-9F3B-2D8C6A1E5F47, elementName: web01}]
error_code:
  description: The CLI's error code when the task failed (C(ERR_AUTH), C(ERR_NOT_FOUND), C(ERR_METHOD_FAILED), ...).
  returned: on failure
  type: str
rc:
  description: The CLI's exit code.
  returned: on failure
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hyperv_wsman.hyperv.plugins.module_utils.hyperv_wsman import (
    EXIT, JOB_ARGUMENT_SPEC, HypervWsmanCli, argument_spec, job_id_args)


def main():
    module = AnsibleModule(argument_spec=argument_spec(all_errors=dict(type='bool', default=False), **JOB_ARGUMENT_SPEC),
                           supports_check_mode=True)
    cli = HypervWsmanCli(module)
    result = cli.run(['job-error'] + job_id_args(module.params) + (['--all'] if module.params['all_errors'] else []))
    doc = next((d for d in result.docs if isinstance(d, dict) and 'outcome' in d), None)
    if doc is None:
        cli.fail(result)
    outcome = doc['outcome']
    if result.rc == EXIT['METHOD_FAILED']:
        # GetError itself refused: the error could not be read, whatever the job's own state says.
        module.fail_json(msg='%s returned %s (%s): the job\'s error could not be read. %s'
                             % (doc['method'], doc['returnValue'], doc['returnValueName'], outcome['summary']),
                         error_code='ERR_METHOD_FAILED', rc=result.rc, job_error=doc, outcome=outcome)
    if result.rc != EXIT['OK']:
        cli.fail(result, job_error=doc, outcome=outcome)
    module.exit_json(changed=False, msg=outcome['summary'], outcome=outcome, job_error=doc,
                     affected_elements=doc.get('affectedElements'))


if __name__ == '__main__':
    main()
