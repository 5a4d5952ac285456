# -*- coding: utf-8 -*-
# The options that name a job (JOB_ARGUMENT_SPEC in plugins/module_utils/hyperv_wsman.py).
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  job_id:
    description: The job's InstanceID (a GUID), for example the one an asynchronous method returned.
    type: str
    required: true
    aliases: [instance_id]
  job_class:
    description:
      - The job's class, for example C(Msvm_MigrationJob) or C(Msvm_StorageJob) (any class whose name ends in C(Job)).
      - Default C(Msvm_ConcreteJob), then C(Msvm_MigrationJob).
    type: str
'''
