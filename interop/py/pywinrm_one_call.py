"""Peer start-up benchmark: what a one-shot pywinrm script costs. Imports winrm, makes one GetError
call (NTLM + message encryption, as on a default Windows host) against the emulated host, reads the
reply with ElementTree, prints the error's message and exits. bench/startup.ts measures this process
(CPU and peak RSS) beside `hyperv-wsman job-error`.
Input on stdin: {"endpoint", "user", "password", "instanceId"}. Exit 3 when a Python module is missing.
"""
import json
import sys
import xml.etree.ElementTree as ET

from geterror_envelope import get_error_envelope

try:
    import winrm
except ImportError as missing:
    print(json.dumps({"missingModule": missing.name, "debianPackage": "python3-winrm"}))
    sys.exit(3)

job = json.load(sys.stdin)
envelope = get_error_envelope(job["endpoint"], job["instanceId"])
p = winrm.Protocol(job["endpoint"], transport="ntlm", username=job["user"], password=job["password"], message_encryption="always")
reply = ET.fromstring(p.send_message(envelope))
# The embedded Msvm_Error (CIM-XML in a string): its Message property, as the CLI prints it.
errors = [e.text for e in reply.iter() if e.tag.endswith("}Error") and e.text]
message = ""
for text in errors:
    inst = ET.fromstring(text)
    for prop in inst.iter("PROPERTY"):
        if prop.get("NAME") == "Message":
            message = prop.findtext("VALUE") or ""
print(json.dumps({"message": message}))
