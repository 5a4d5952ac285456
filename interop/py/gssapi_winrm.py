"""A GSS-API initiator from MIT krb5 (Debian python3-gssapi over libgssapi_krb5) against hyperv-wsman's
emulated host: WinRM Kerberos as pywinrm/pypsrp do it, with MIT's wrap_iov for message encryption.

One JSON job on stdin, one JSON answer on stdout; exit 3 when a module is missing.
  {"krb5Config", "ccache", "url", "spnHost", "scheme": "Kerberos"|"Negotiate", "soap"}
The handshake goes as an empty POST with the token (mutual, sequence, conf, integ), the reply token
completes the context, then `soap` goes sealed on the same connection and the sealed reply is opened.
"""
import base64
import json
import os
import struct
import sys

job = json.load(sys.stdin)
# MIT reads its configuration when the first context is made: set it before importing gssapi.
os.environ["KRB5_CONFIG"] = job["krb5Config"]
os.environ["KRB5CCNAME"] = "FILE:" + job["ccache"]

try:
    import gssapi
    from gssapi.raw import IOV, IOVBufferType, unwrap_iov, wrap_iov
except ImportError as missing:
    print(json.dumps({"missingModule": missing.name, "debianPackage": "python3-gssapi"}))
    sys.exit(3)
import http.client
from urllib.parse import urlsplit

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
BOUNDARY = b"Encrypted Boundary"


def seal(ctx, protocol, soap):
    iov = IOV(IOVBufferType.header, soap, IOVBufferType.padding, std_layout=False)
    wrap_iov(ctx, iov, confidential=True)
    header, data = iov[0].value, iov[1].value + (iov[2].value or b"")
    return (b"--" + BOUNDARY + b"\r\n\tContent-Type: " + protocol + b"\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(data)).encode() + b"\r\n--" + BOUNDARY + b"\r\n\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<I", len(header)) + header + data + b"--" + BOUNDARY + b"--\r\n")


def unseal(ctx, body):
    parts = body.split(b"--" + BOUNDARY)
    data_part = parts[2]
    start = data_part.index(b"octet-stream\r\n") + len(b"octet-stream\r\n")
    header_len = struct.unpack("<I", data_part[start:start + 4])[0]
    header = data_part[start + 4:start + 4 + header_len]
    data = data_part[start + 4 + header_len:]
    iov = IOV((IOVBufferType.header, False, header), data, std_layout=False)
    unwrap_iov(ctx, iov)
    return iov[1].value


def main():
    scheme = job["scheme"]
    mech = KRB5 if scheme == "Kerberos" else SPNEGO
    protocol = b"application/HTTP-Kerberos-session-encrypted" if scheme == "Kerberos" else b"application/HTTP-SPNEGO-session-encrypted"
    name = gssapi.Name("HTTP@" + job["spnHost"], gssapi.NameType.hostbased_service)
    flags = gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.out_of_sequence_detection | gssapi.RequirementFlag.confidentiality | gssapi.RequirementFlag.integrity
    ctx = gssapi.SecurityContext(name=name, mech=mech, flags=flags, usage="initiate")
    token = ctx.step()
    url = urlsplit(job["url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    content_type = 'multipart/encrypted;protocol="' + protocol.decode() + '";boundary="Encrypted Boundary"'
    conn.request("POST", url.path, body=b"", headers={"Authorization": scheme + " " + base64.b64encode(token).decode(), "Content-Type": content_type})
    res = conn.getresponse()
    res.read()
    www = res.getheader("WWW-Authenticate") or ""
    handshake = {"status": res.status, "wwwAuthenticateScheme": www.split(" ")[0]}
    if res.status != 200 or not www.startswith(scheme + " "):
        print(json.dumps({"handshake": handshake}))
        return
    ctx.step(base64.b64decode(www.split(" ", 1)[1]))
    conn.request("POST", url.path, body=seal(ctx, protocol, job["soap"].encode()), headers={"Content-Type": content_type})
    res = conn.getresponse()
    body = res.read()
    print(json.dumps({
        "handshake": handshake, "complete": ctx.complete, "mech": str(ctx.mech),
        "status": res.status, "contentType": res.getheader("Content-Type"),
        "reply": unseal(ctx, body).decode("utf-8"),
    }))


main()
