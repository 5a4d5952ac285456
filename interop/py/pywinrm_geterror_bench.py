"""Peer benchmark: pywinrm (Debian python3-winrm) doing GetError round trips with NTLM + message
encryption against the emulated host, for comparison with our client in bench/run.ts.
Input on stdin: {"endpoint", "user", "password", "instanceId", "iterations"}; prints {"opsPerSec", "usPerOp"}."""
import json
import sys
import time

import winrm

from geterror_envelope import get_error_envelope

job = json.load(sys.stdin)
p = winrm.Protocol(job["endpoint"], transport="ntlm", username=job["user"], password=job["password"], message_encryption="always")


def envelope():
    # Built per call, as our client does, with a fresh MessageID.
    return get_error_envelope(job["endpoint"], job["instanceId"])


for _ in range(20):
    p.send_message(envelope())
n = job["iterations"]
t0 = time.perf_counter()
for _ in range(n):
    p.send_message(envelope())
dt = time.perf_counter() - t0
print(json.dumps({"opsPerSec": n / dt, "usPerOp": dt * 1e6 / n}))
