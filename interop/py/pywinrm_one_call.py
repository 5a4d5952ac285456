"""Peer start-up benchmark: what a one-shot pywinrm script costs. Imports winrm, makes one GetError
call (NTLM + message encryption, as on a default Windows host) against the emulated host, reads the
reply with ElementTree, prints the error's message and exits. bench/startup.ts measures this process
(CPU and peak RSS) beside `hyperv-wsman job-error`.
Input on stdin: {"endpoint", "user", "password", "instanceId"}. Exit 3 when a Python module is missing.
"""
import json
import sys
import uuid
import xml.etree.ElementTree as ET

try:
    import winrm
except ImportError as missing:
    print(json.dumps({"missingModule": missing.name, "debianPackage": "python3-winrm"}))
    sys.exit(3)

job = json.load(sys.stdin)
uri = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob"
envelope = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
    f'<a:To>{job["endpoint"]}</a:To><w:ResourceURI s:mustUnderstand="true">{uri}</w:ResourceURI>'
    '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
    f'<a:Action s:mustUnderstand="true">{uri}/GetError</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
    f'<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><w:OperationTimeout>PT20.000S</w:OperationTimeout>'
    f'<w:SelectorSet><w:Selector Name="InstanceID">{job["instanceId"]}</w:Selector></w:SelectorSet></s:Header>'
    f'<s:Body><p:GetError_INPUT xmlns:p="{uri}"/></s:Body></s:Envelope>'
)
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
