"""pywinrm (Debian python3-winrm) as a WinRM client of the emulated Hyper-V host.

Reads one JSON job on stdin: connection settings for winrm.Protocol and a list of WS-Man requests.
The envelopes are written here, sent raw with Protocol.send_message (so pywinrm's own NTLM,
message encryption and TLS do the transport), and the replies are read with ElementTree, not with
hyperv-wsman code. Prints one JSON object on stdout. Exit 3 when a Python module is missing.
"""
import ast
import json
import sys
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

# Debian package of each peer module; a missing one is reported, never skipped.
PACKAGES = {"winrm": "python3-winrm", "requests_ntlm": "python3-requests-ntlm", "ntlm_auth": "python3-ntlm-auth"}
try:
    import importlib.metadata as metadata
    import winrm
    import requests_ntlm  # noqa: F401 (pywinrm silently disables NTLM without it)
    from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMTransportError
    from ntlm_auth import ntlm as ntlm_auth_ntlm
except ImportError as missing:
    root = (missing.name or "").split(".")[0]
    print(json.dumps({"missingModule": missing.name, "debianPackage": PACKAGES.get(root, "python3-winrm")}))
    sys.exit(3)

S = "http://www.w3.org/2003/05/soap-envelope"
A = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
W = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
N = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
WMI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/"
WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

# Whether ntlm-auth was handed a server certificate hash, i.e. whether requests-ntlm sent channel bindings.
CBT_SEEN = []
_create_authenticate = ntlm_auth_ntlm.Ntlm.create_authenticate_message


def _recording_create_authenticate(self, *args, **kwargs):
    CBT_SEEN.append(kwargs.get("server_certificate_hash") is not None)
    return _create_authenticate(self, *args, **kwargs)


ntlm_auth_ntlm.Ntlm.create_authenticate_message = _recording_create_authenticate


def envelope(to, action, resource_uri, body, selectors=None):
    """A WS-Man request in the shape of [MS-WSMV] 4.1.4, headers as pywinrm itself writes them."""
    selector_xml = ""
    if selectors:
        selector_xml = "<w:SelectorSet>%s</w:SelectorSet>" % "".join(
            '<w:Selector Name=%s>%s</w:Selector>' % (quoteattr(k), escape(v)) for k, v in selectors.items())
    return (
        '<s:Envelope xmlns:s="%s" xmlns:a="%s" xmlns:w="%s" xmlns:n="%s"><s:Header>'
        "<a:To>%s</a:To>"
        '<w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">%s</a:Address></a:ReplyTo>'
        '<a:Action s:mustUnderstand="true">%s</a:Action>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
        "<a:MessageID>uuid:%s</a:MessageID>"
        '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>'
        "<w:OperationTimeout>PT20S</w:OperationTimeout>%s"
        "</s:Header><s:Body>%s</s:Body></s:Envelope>"
    ) % (S, A, W, N, to, resource_uri, ANONYMOUS, action, str(uuid.uuid4()).upper(), selector_xml, body)


def body_child(reply):
    root = ET.fromstring(reply)
    return root.find("{%s}Body" % S)[0]


def cim_xml_instance(text):
    """The embedded Msvm_Error (DSP0201 INSTANCE) as {class, properties: name -> value or list}."""
    inst = ET.fromstring(text)
    props = {}
    for p in inst:
        if p.tag == "PROPERTY":
            v = p.find("VALUE")
            props[p.get("NAME")] = None if v is None else v.text or ""
        elif p.tag == "PROPERTY.ARRAY":
            props[p.get("NAME")] = [v.text or "" for v in p.iter("VALUE")]
    return {"class": inst.get("CLASSNAME"), "properties": props}


def get_error(p, to, req):
    uri = WMI + req["className"]
    xml = envelope(to, uri + "/GetError", uri, '<p:GetError_INPUT xmlns:p="%s"/>' % uri, {"InstanceID": req["instanceId"]})
    out = body_child(p.send_message(xml))
    error = out.find("{%s}Error" % uri)
    return {
        "element": out.tag,
        "returnValue": out.find("{%s}ReturnValue" % uri).text,
        "error": None if error is None or not error.text else cim_xml_instance(error.text),
    }


def get(p, to, req):
    uri = WMI + req["className"]
    xml = envelope(to, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", uri, "", {"InstanceID": req["instanceId"]})
    inst = body_child(p.send_message(xml))
    return {"element": inst.tag, "properties": {c.tag.split("}")[1]: c.text for c in inst}}


def instance_ids(items):
    return [i.find("{%s}InstanceID" % i.tag.split("}")[0][1:]).text for i in items]


def enumerate_wql(p, to, req):
    """Enumerate with a WQL filter and OptimizeEnumeration, then Pull until EndOfSequence."""
    uri = WMI + "*"
    body = (
        "<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>%d</w:MaxElements>"
        '<w:Filter Dialect="%s">%s</w:Filter></n:Enumerate>'
    ) % (req["maxElements"], WQL, escape(req["query"]))
    resp = body_child(p.send_message(envelope(to, N + "/Enumerate", uri, body)))
    ids = instance_ids(resp.find("{%s}Items" % W))
    ended = resp.find("{%s}EndOfSequence" % W) is not None
    pulls = 0
    while not ended and pulls < 20:
        context = resp.find("{%s}EnumerationContext" % N).text
        pull = "<n:Pull><n:EnumerationContext>%s</n:EnumerationContext><n:MaxElements>%d</n:MaxElements></n:Pull>" % (
            context, req["maxElements"])
        resp = body_child(p.send_message(envelope(to, N + "/Pull", uri, pull)))
        ids += instance_ids(resp.find("{%s}Items" % N))
        ended = resp.find("{%s}EndOfSequence" % N) is not None
        pulls += 1
    return {"instanceIds": ids, "pulls": pulls, "ended": ended}


def fault_data(message):
    """pywinrm puts the fault fields it parsed into the message as a dict literal; take them back out."""
    _, marker, rest = message.rpartition("(extended fault data: ")
    return ast.literal_eval(rest[:-1]) if marker else None


OPERATIONS = {"getError": get_error, "get": get, "enumerate": enumerate_wql}


def run(job):
    p = winrm.Protocol(
        endpoint=job["endpoint"],
        transport=job["transport"],
        username=job["username"],
        password=job["password"],
        server_cert_validation="validate",
        ca_trust_path=job.get("caTrustPath"),
        message_encryption=job.get("messageEncryption", "auto"),
        send_cbt=job.get("sendCbt", True),
        # transport="certificate": pywinrm presents these in the TLS handshake (it sends the https/mutual header).
        cert_pem=job.get("certPem"),
        cert_key_pem=job.get("certKeyPem"),
    )
    results = []
    for req in job["requests"]:
        try:
            results.append({"name": req["name"], "ok": True, "reply": OPERATIONS[req["kind"]](p, job["endpoint"], req)})
        except InvalidCredentialsError as e:
            results.append({"name": req["name"], "ok": False, "errorType": "InvalidCredentialsError", "message": str(e)})
        except WinRMTransportError as e:
            results.append({"name": req["name"], "ok": False, "errorType": "WinRMTransportError", "httpStatus": e.code, "message": str(e)})
        except WinRMError as e:  # a SOAP fault, as pywinrm's own fault parser read it
            results.append({"name": req["name"], "ok": False, "errorType": type(e).__name__, "message": str(e), "fault": fault_data(str(e))})
    return {
        "versions": {n: metadata.version(n) for n in ("pywinrm", "requests_ntlm", "ntlm-auth", "requests", "urllib3")},
        "encrypted": p.transport.encryption is not None,
        "cbtSent": CBT_SEEN,
        "results": results,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.load(sys.stdin))))
