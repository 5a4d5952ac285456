"""An MIT krb5 GSS-API acceptor (Debian python3-gssapi over libgssapi_krb5) for one initial token from
hyperv-wsman's initiator: does MIT accept it, and does it find our delegated credential?

One JSON job on stdin, one JSON answer on stdout; exit 3 when a module is missing.
  {"krb5Config", "keytab", "token": base64 framed krb5 AP-REQ, "secondHopHost"}
Answer: {"complete", "initiator", "delegateFlag", "delegated": name or null, "secondHopToken": bytes of an
AP-REQ MIT built from the delegated TGT for HTTP@secondHopHost (its KDC issued that ticket), "replyToken"}.
"""
import base64
import json
import os
import sys

job = json.load(sys.stdin)
# MIT reads its configuration when the first context is made: set it before importing gssapi.
os.environ["KRB5_CONFIG"] = job["krb5Config"]
os.environ["KRB5_KTNAME"] = "FILE:" + job["keytab"]
os.environ["KRB5CCNAME"] = "MEMORY:acceptor"
os.environ["KRB5RCACHETYPE"] = "none"

try:
    import gssapi
except ImportError as missing:
    print(json.dumps({"missingModule": missing.name, "debianPackage": "python3-gssapi"}))
    sys.exit(3)

KRB5 = gssapi.OID.from_int_seq("1.2.840.113554.1.2.2")

ctx = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
reply = ctx.step(base64.b64decode(job["token"]))
answer = {
    "complete": ctx.complete,
    "initiator": str(ctx.initiator_name),
    "delegateFlag": bool(ctx.actual_flags & gssapi.RequirementFlag.delegate_to_peer),
    "delegated": None,
    "secondHopToken": 0,
    "replyToken": base64.b64encode(reply or b"").decode("ascii"),
}
if ctx.delegated_creds is not None:
    answer["delegated"] = str(ctx.delegated_creds.name)
    # The second hop: the delegated TGT asks MIT's KDC for another service ticket.
    target = gssapi.Name("HTTP@" + job["secondHopHost"], gssapi.NameType.hostbased_service)
    hop = gssapi.SecurityContext(name=target, creds=ctx.delegated_creds, usage="initiate", mech=KRB5)
    answer["secondHopToken"] = len(hop.step() or b"")
print(json.dumps(answer))
