#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: job_info
short_description: List Hyper-V jobs, filtered by state and class, with their outcome
description:
  - Lists the jobs of a Hyper-V host (C(hyperv-wsman jobs --json)), of C(Msvm_ConcreteJob) and C(Msvm_MigrationJob) unless I(job_class) names others.
  - Each job carries its I(outcome) as its own properties tell it (GetError is not called per job; use the job_error module for that).
version_added: 0.1.0
author: hyperv-wsman contributors
extends_documentation_fragment:
  - hyperv_wsman.hyperv.connection
options:
  state:
    description:
      - Only jobs in these JobStates (any case, dashes or spaces), for example C(Exception), C(running), C(completed-with-warnings).
    type: list
    elements: str
  job_class:
    description: The job classes to list, for example C(Msvm_StorageJob).
    type: list
    elements: str
  outcome:
    description: Only jobs whose outcome status is one of these.
    type: list
    elements: str
    choices: [succeeded, failed, running, unknown]
attributes:
  check_mode:
    support: full
    description: Only reads.
'''

EXAMPLES = r'''
- name: Jobs that failed
  hyperv_wsman.hyperv.job_info:
    outcome: [failed]
  delegate_to: localhost
  register: failed

- name: Why each failed
  ansible.builtin.debug:
    msg: "{{ failed.jobs | map(attribute='outcome') | map(attribute='summary') | list }}"
'''

RETURN = r'''
jobs:
  description: One C(hyperv-wsman jobs --json) document per job (C(jobClass), C(instanceId), C(jobStateName), C(percentComplete), C(errorCode), ..., C(outcome)).
  returned: success
  type: list
  elements: dict
msg:
  description: How many jobs were found.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hyperv_wsman.hyperv.plugins.module_utils.hyperv_wsman import EXIT, HypervWsmanCli, argument_spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(state=dict(type='list', elements='str'),
                                                       job_class=dict(type='list', elements='str'),
                                                       outcome=dict(type='list', elements='str', choices=['succeeded', 'failed', 'running', 'unknown'])),
                           supports_check_mode=True)
    args = ['jobs']
    for state in module.params['state'] or []:
        args.extend(['--state', state])
    for cls in module.params['job_class'] or []:
        args.extend(['--job-class', cls])
    cli = HypervWsmanCli(module)
    result = cli.run(args)
    if result.rc != EXIT['OK'] or result.error:
        cli.fail(result)
    wanted = module.params['outcome']
    jobs = [d for d in result.docs if isinstance(d, dict) and 'instanceId' in d and (not wanted or d.get('outcome', {}).get('status') in wanted)]
    module.exit_json(changed=False, msg='%d job(s)' % len(jobs), jobs=jobs)


if __name__ == '__main__':
    main()
