"""Peer for bench/per-call.ts: pywinrm (Debian python3-winrm 0.3) sending GetError on one job over
one keep-alive connection, with raw `send_message` (no parsing of the reply). Driven line by line
(interop/python-peer.ts startPythonPeer) so the benchmark can interleave its rounds with ours:
first line {"endpoint", "transport": "ntlm"|"basic"|"kerberos", "user", "password", "instanceId",
"caTrustPath"?, "krb5Config"?, "ccache"?, "hostnameOverride"?}; after the warm-up it prints
{"ready": true}; then each {"iterations": n} is answered with {"cpuUs", "wallUs", "iterations"}
(totals; CPU = time.process_time of this process)."""
import json
import os
import sys
import time
import uuid

job = json.loads(sys.stdin.readline())
# MIT's libraries read these when the first GSS context is made (after this point).
if job.get("krb5Config"):
    os.environ["KRB5_CONFIG"] = job["krb5Config"]
if job.get("ccache"):
    os.environ["KRB5CCNAME"] = job["ccache"]

try:
    import winrm
except ImportError:
    print(json.dumps({"missingModule": "winrm", "debianPackage": "python3-winrm"}), flush=True)
    sys.exit(3)
if job["transport"] == "kerberos":
    try:
        import requests_kerberos  # noqa: F401
    except ImportError:
        print(json.dumps({"missingModule": "requests_kerberos", "debianPackage": "python3-requests-kerberos"}), flush=True)
        sys.exit(3)

uri = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob"
kwargs = {"transport": job["transport"], "username": job["user"], "password": job["password"]}
if job["transport"] == "ntlm":
    kwargs["message_encryption"] = "always"
if job.get("caTrustPath"):
    kwargs["ca_trust_path"] = job["caTrustPath"]
if job.get("hostnameOverride"):
    kwargs["kerberos_hostname_override"] = job["hostnameOverride"]
p = winrm.Protocol(job["endpoint"], **kwargs)


def envelope():
    # Built per call with a fresh MessageID, as our client does.
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


reply = ""
for _ in range(200):
    reply = p.send_message(envelope())
if "GetError_OUTPUT" not in str(reply):
    print(json.dumps({"error": "the reply is not a GetError_OUTPUT: " + str(reply)[:200]}), flush=True)
    sys.exit(1)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    n = json.loads(line)["iterations"]
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(n):
        p.send_message(envelope())
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"cpuUs": cpu * 1e6, "wallUs": wall * 1e6, "iterations": n}), flush=True)
