#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: invoke
short_description: Invoke a WMI method over WS-Management; optionally wait for the job it starts
description:
  - Calls a method of a class or instance (C(hyperv-wsman invoke --json)), for example
    C(Msvm_VirtualSystemManagementService.ModifyResourceSettings) or C(Msvm_ComputerSystem.RequestStateChange).
  - When the method starts a job (ReturnValue 4096) and I(wait) is set, waits for it like the job_wait module.
  - Fails when the method returns a failure code, or the job it started fails.
version_added: 0.1.0
author: hyperv-wsman contributors
extends_documentation_fragment:
  - hyperv_wsman.hyperv.connection
options:
  class_name:
    description: WMI class name, for example C(Msvm_ComputerSystem). Exactly one of I(class_name) and I(resource_uri).
    type: str
  resource_uri:
    description: Any WS-Management resource URI instead of a WMI class.
    type: str
  namespace:
    description: WMI namespace of the class. Default C(root/virtualization/v2).
    type: str
  method:
    description: Method name, for example C(RequestStateChange).
    type: str
    required: true
  selectors:
    description: Key properties of the instance (name to value).
    type: dict
  params:
    description:
      - In-parameters, in the method's MOF order, each in the CLI's C(--param) syntax
        (C(Name=text), C(Name:file=PATH), C(Name:ref=Class?Key=Value&...), C(Name:null)); the same name twice makes an array.
    type: list
    elements: str
  wait:
    description: When the method starts a job, wait for it to end.
    type: bool
    default: false
  timeout:
    description: With I(wait), seconds to wait for the job.
    type: int
    default: 3600
  changes:
    description:
      - Whether the method changes the host. True (the default) reports C(changed) and skips the call in check mode;
        false for queries such as C(GetError), which then run in check mode too.
    type: bool
    default: true
attributes:
  check_mode:
    support: partial
    description: A method that I(changes) is not called in check mode; the task reports that it would have been.
'''

EXAMPLES = r'''
- name: Start a VM and wait for the job
  hyperv_wsman.hyperv.invoke:
    class_name: Msvm_ComputerSystem
    method: RequestStateChange
    selectors: {CreationClassName: Msvm_ComputerSystem, Name: B6E2F8A1-4C3D-4E9F-A0B7-5D1C8E3F2A64}
    params: [RequestedState=2]
    wait: true
  delegate_to: localhost
'''

RETURN = r'''
invoke:
  description: The C(hyperv-wsman invoke --json) document (C(returnValue), C(returnValueName), C(outParams), C(job)).
  returned: when the method was called
  type: dict
job:
  description: With I(wait), the job as last seen.
  returned: when a job was waited for
  type: dict
outcome:
  description: With I(wait), did the job fail and why (see the job_error module).
  returned: when a job was waited for
  type: dict
job_error:
  description: With I(wait), GetError's answer for a failed job.
  returned: when a job was waited for
  type: dict
msg:
  description: What happened, in one line.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hyperv_wsman.hyperv.plugins.module_utils.hyperv_wsman import ERROR_CODE_BY_EXIT, EXIT, HypervWsmanCli, argument_spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(class_name=dict(type='str'),
                                                       resource_uri=dict(type='str'),
                                                       namespace=dict(type='str'),
                                                       method=dict(type='str', required=True),
                                                       selectors=dict(type='dict'),
                                                       params=dict(type='list', elements='str'),
                                                       wait=dict(type='bool', default=False),
                                                       timeout=dict(type='int', default=3600),
                                                       changes=dict(type='bool', default=True)),
                           required_one_of=[('class_name', 'resource_uri')],
                           mutually_exclusive=[('class_name', 'resource_uri')],
                           supports_check_mode=True)
    p = module.params
    target = p['class_name'] or p['method']
    if module.check_mode and p['changes']:
        module.exit_json(changed=True, msg='Check mode: %s.%s not invoked.' % (p['class_name'] or p['resource_uri'], p['method']))
    args = ['invoke', target] + ([p['method']] if p['class_name'] else [])
    if p['resource_uri']:
        args.extend(['--resource-uri', p['resource_uri']])
    if p['namespace']:
        args.extend(['--namespace', p['namespace']])
    for key, value in (p['selectors'] or {}).items():
        args.extend(['--selector', '%s=%s' % (key, value)])
    for param in p['params'] or []:
        args.extend(['--param', param])
    if p['wait']:
        args.extend(['--wait', '--timeout', str(p['timeout'])])
    cli = HypervWsmanCli(module)
    result = cli.run(args)
    invoked = next((d for d in result.docs if isinstance(d, dict) and d.get('type') == 'invoke'), None)
    if invoked is None:
        cli.fail(result)
    final = next((d for d in reversed(result.docs) if isinstance(d, dict) and d.get('type') == 'result'), None)
    ret = dict(invoke=invoked, changed=p['changes'])
    if final is not None:
        ret.update(job=final.get('job'), outcome=final.get('outcome'), job_error=final.get('error'))
    if result.rc == EXIT['OK']:
        msg = final['message'] if final else '%s returned %s (%s).' % (p['method'], invoked.get('returnValue'), invoked.get('returnValueName'))
        module.exit_json(msg=msg, **ret)
    outcome = (final or {}).get('outcome') or {}
    msg = outcome.get('summary') or (final or {}).get('message') or result.stderr_message()
    if not msg:
        cli.fail(result, **ret)
    module.fail_json(msg=msg, rc=result.rc, error_code=ERROR_CODE_BY_EXIT.get(result.rc), **ret)


if __name__ == '__main__':
    main()
