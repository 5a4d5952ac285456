"""Peer benchmark: pywinrm (Debian python3-winrm) enumerating every job of the emulated host with
Enumerate + Pull (WQL filter, NTLM + message encryption), each Pull reply parsed with xml.etree into
one dict per job with typed values, for comparison with our client in bench/enumerate.ts.
Input on stdin: {"endpoint", "user", "password", "wql", "maxElements"};
prints {"count", "wallS", "cpuS", "peakRssMB", "requests"} (requests: Enumerate + Pulls, not the NTLM handshake).
Exit 3 when a Python module is missing."""
import json
import resource
import sys
import time
import uuid
import xml.etree.ElementTree as ET

try:
    import winrm
    import requests_ntlm  # noqa: F401 (pywinrm silently disables NTLM without it)
except ImportError as missing:
    print(json.dumps({"missingModule": missing.name, "debianPackage": "python3-requests-ntlm" if (missing.name or "").startswith("requests_ntlm") else "python3-winrm"}))
    sys.exit(3)

job = json.load(sys.stdin)
RESOURCE_URI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/*"
WSEN = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
# Typed as CIM declares them (uint16/uint32 -> int, boolean -> bool); everything else stays a string.
INTS = {"JobState", "PercentComplete", "ErrorCode", "JobType", "OperationalStatus", "Priority", "JobRunTimes", "RunMonth",
        "RunDay", "RunDayOfWeek", "LocalOrUtcTime", "RecoveryAction", "MigrationType"}
BOOLS = {"Cancellable", "DeleteOnCompletion"}
ARRAYS = {"OperationalStatus", "StatusDescriptions"}

p = winrm.Protocol(job["endpoint"], transport="ntlm", username=job["user"], password=job["password"], message_encryption="always")
requests_sent = 0


def envelope(action, body):
    return (
        f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="{WSMAN}" xmlns:n="{WSEN}"><s:Header>'
        f'<a:To>{job["endpoint"]}</a:To><w:ResourceURI s:mustUnderstand="true">{RESOURCE_URI}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{WSEN}/{action}</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
        f'<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID><w:OperationTimeout>PT20.000S</w:OperationTimeout></s:Header>'
        f'<s:Body>{body}</s:Body></s:Envelope>'
    )


def send(action, body):
    global requests_sent
    requests_sent += 1
    return ET.fromstring(p.send_message(envelope(action, body)))


def value(name, el):
    if el.get(XSI_NIL) == "true":
        return None
    text = el.text or ""
    if name in INTS:
        return int(text)
    if name in BOOLS:
        return text.lower() == "true"
    return text


def to_job(item):
    d = {"className": item.tag.rsplit("}", 1)[-1].removesuffix("_Type")}
    for prop in item:
        name = prop.tag.rsplit("}", 1)[-1]
        v = value(name, prop)
        if name in ARRAYS:
            d.setdefault(name, []).append(v)
        else:
            d[name] = v
    return d


def items_and_context(root, response):
    r = root.find(f"{{{SOAP}}}Body/{{{WSEN}}}{response}")
    items = r.find(f"{{{WSMAN}}}Items")
    if items is None:
        items = r.find(f"{{{WSEN}}}Items")
    ctx = r.find(f"{{{WSEN}}}EnumerationContext")
    end = r.find(f"{{{WSMAN}}}EndOfSequence") is not None or r.find(f"{{{WSEN}}}EndOfSequence") is not None
    return ([] if items is None else list(items)), (None if ctx is None else ctx.text), end


def enumerate_jobs():
    count = 0
    n = job["maxElements"]
    root = send("Enumerate", f'<n:Enumerate><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">{job["wql"]}</w:Filter>'
                f'<w:OptimizeEnumeration/><w:MaxElements>{n}</w:MaxElements></n:Enumerate>')
    items, ctx, end = items_and_context(root, "EnumerateResponse")
    while True:
        for item in items:
            j = to_job(item)
            if j["InstanceID"]:
                count += 1
        if end or ctx is None:
            return count
        root = send("Pull", f'<n:Pull><n:EnumerationContext>{ctx}</n:EnumerationContext><n:MaxElements>{n}</n:MaxElements></n:Pull>')
        items, ctx, end = items_and_context(root, "PullResponse")


c0 = time.process_time()
t0 = time.perf_counter()
count = enumerate_jobs()
wall = time.perf_counter() - t0
cpu = time.process_time() - c0
print(json.dumps({"count": count, "wallS": wall, "cpuS": cpu, "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "requests": requests_sent}))
