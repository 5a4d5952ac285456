"""Peer benchmark: pywinrm (Debian python3-winrm) doing GetError round trips with NTLM + message
encryption against the emulated host, for comparison with our client in bench/run.ts.
Input on stdin: {"endpoint", "user", "password", "instanceId", "iterations"}; prints {"opsPerSec", "usPerOp"}."""
import json
import sys
import time

import winrm

job = json.load(sys.stdin)
uri = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob"
p = winrm.Protocol(job["endpoint"], transport="ntlm", username=job["user"], password=job["password"], message_encryption="always")


def envelope():
    # Built per call, as our client does, with a fresh MessageID.
    import uuid
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        f'<a:To>{job["endpoint"]}</a:To><w:ResourceURI s:mustUnderstand="true">{uri}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{uri}/GetError</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
        f'<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><w:OperationTimeout>PT20.000S</w:OperationTimeout>'
        f'<w:SelectorSet><w:Selector Name="InstanceID">{job["instanceId"]}</w:Selector></w:SelectorSet></s:Header>'
        f'<s:Body><p:GetError_INPUT xmlns:p="{uri}"/></s:Body></s:Envelope>'
    )


for _ in range(20):
    p.send_message(envelope())
n = job["iterations"]
t0 = time.perf_counter()
for _ in range(n):
    p.send_message(envelope())
dt = time.perf_counter() - t0
print(json.dumps({"opsPerSec": n / dt, "usPerOp": dt * 1e6 / n}))
