"""Checks hyperv-wsman's NTLM messages and session security with impacket (Debian python3-impacket).

One JSON job on stdin (bytes as hex), one JSON answer on stdout; exit 3 when a module is missing.
  {"mode": "challenge", ...}  build a CHALLENGE_MESSAGE with impacket's own encoder.
  {"mode": "verify", ...}     act as the server: parse NEGOTIATE/CHALLENGE/AUTHENTICATE, recompute the
                              NTLMv2 response, keys and MIC from the password, open the client's sealed
                              messages, and seal messages in both directions for hyperv-wsman to open.
Every verdict is computed here from impacket primitives and hashlib; hyperv-wsman only supplies bytes.
"""
import hashlib
import json
import struct
import sys

PACKAGES = {"impacket": "python3-impacket", "Cryptodome": "python3-pycryptodome", "six": "python3-six"}
try:
    from Cryptodome.Cipher import ARC4
    from impacket import ntlm
except ImportError as missing:
    root = (missing.name or "").split(".")[0]
    print(json.dumps({"missingModule": missing.name, "debianPackage": PACKAGES.get(root, "python3-impacket")}))
    sys.exit(3)

AV_NAMES = {
    ntlm.NTLMSSP_AV_HOSTNAME: "NbComputerName", ntlm.NTLMSSP_AV_DOMAINNAME: "NbDomainName",
    ntlm.NTLMSSP_AV_DNS_HOSTNAME: "DnsComputerName", ntlm.NTLMSSP_AV_DNS_DOMAINNAME: "DnsDomainName",
    ntlm.NTLMSSP_AV_FLAGS: "Flags", ntlm.NTLMSSP_AV_TIME: "Timestamp",
    ntlm.NTLMSSP_AV_TARGET_NAME: "TargetName", ntlm.NTLMSSP_AV_CHANNEL_BINDINGS: "ChannelBindings",
}
MIC_PROVIDED = 0x2  # MsvAvFlags bit ([MS-NLMP] 2.2.2.1)


def av_dict(pairs):
    """impacket AV_PAIRS -> {name: hex}, EOL left out."""
    return {AV_NAMES.get(k, str(k)): v[1].hex() for k, v in pairs.fields.items() if k != ntlm.NTLMSSP_AV_EOL}


def build_challenge(job):
    """CHALLENGE_MESSAGE laid out by impacket: header, VERSION, TargetName, TargetInfo ([MS-NLMP] 2.2.1.2)."""
    target = job["nbDomain"].encode("utf-16le")
    info = ntlm.AV_PAIRS()
    info[ntlm.NTLMSSP_AV_DOMAINNAME] = target
    info[ntlm.NTLMSSP_AV_HOSTNAME] = job["nbComputer"].encode("utf-16le")
    info[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = target
    info[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = job["nbComputer"].encode("utf-16le")
    if job.get("timestamp"):
        info[ntlm.NTLMSSP_AV_TIME] = bytes.fromhex(job["timestamp"])
    msg = ntlm.NTLMAuthChallenge()
    msg["flags"] = job["flags"]
    msg["challenge"] = bytes.fromhex(job["serverChallenge"])
    msg["Version"] = b"\x0a\x00\x7c\x4f\x00\x00\x00\x0f"  # 10.0.20348, NTLMSSP revision 15
    msg["domain_name"] = target
    msg["domain_offset"] = 56  # 48-byte header + 8-byte VERSION
    msg["TargetInfoFields"] = info.getData()
    msg["TargetInfoFields_offset"] = 56 + len(target)
    return {"challenge": msg.getData().hex()}


def channel_bindings_hash(cert_der):
    """MD5 of the gss_channel_bindings_struct for tls-server-end-point (RFC 5929; SHA-256-signed certificate)."""
    app = b"tls-server-end-point:" + hashlib.sha256(cert_der).digest()
    return hashlib.md5(struct.pack("<IIIII", 0, 0, 0, 0, len(app)) + app).hexdigest()


def open_messages(flags, key, mode, messages):
    """Unseal then check each signature, one RC4 stream per direction as in [MS-NLMP] 3.4.3."""
    handle = ARC4.new(ntlm.SEALKEY(flags, key, mode)).encrypt
    sign_key = ntlm.SIGNKEY(flags, key, mode)
    opened = []
    for seq, m in enumerate(messages):
        plain = handle(bytes.fromhex(m["sealed"]))
        expected = ntlm.SIGN(flags, sign_key, plain, seq, handle).getData()
        opened.append({"plaintext": plain.hex(), "signatureMatches": expected.hex() == m["signature"], "expectedSignature": expected.hex()})
    return opened


def seal_messages(flags, key, mode, plaintexts):
    handle = ARC4.new(ntlm.SEALKEY(flags, key, mode)).encrypt
    sign_key = ntlm.SIGNKEY(flags, key, mode)
    out = []
    for seq, text in enumerate(plaintexts):
        data = bytes.fromhex(text)
        sealed, signature = ntlm.SEAL(flags, sign_key, None, data, data, seq, handle)
        out.append({"sealed": sealed.hex(), "signature": signature.getData().hex()})
    return out


def verify(job):
    negotiate = bytes.fromhex(job["negotiate"])
    challenge_bytes = bytes.fromhex(job["challenge"])
    auth_bytes = bytes.fromhex(job["authenticate"])
    password = job["password"]

    neg = ntlm.NTLMAuthNegotiate()
    neg.fromString(negotiate)
    challenge = ntlm.NTLMAuthChallenge(challenge_bytes)
    server_pairs = ntlm.AV_PAIRS(challenge["TargetInfoFields"])
    auth = ntlm.NTLMAuthChallengeResponse()
    auth.fromString(auth_bytes)
    # impacket re-reads every payload field by offset except the session key, which it takes by
    # position (correct only with a MIC and impacket's own payload order): read it by offset here.
    session_key = auth_bytes[auth["session_key_offset"]:][:auth["session_key_len"]]
    flags = auth["flags"]
    user = auth["user_name"].decode("utf-16le")
    domain = auth["domain_name"].decode("utf-16le")

    # NTLMv2_RESPONSE = NTProofStr(16) || temp, temp = 1,1,Z(6),Time,ClientChallenge,Z(4),AvPairs,Z(4) (3.3.2).
    nt = auth["ntlm"]
    proof, temp = nt[:16], nt[16:]
    client_challenge = temp[16:24]
    av_bytes = temp[28:-4]
    client_pairs = ntlm.AV_PAIRS(av_bytes)
    response_key = ntlm.NTOWFv2(user, password, domain)
    server_challenge = challenge["challenge"]
    computed_proof = ntlm.hmac_md5(response_key, server_challenge + temp)

    # impacket's client computation fed the same inputs: identical bytes when our MsvAvTargetName is
    # cifs/<NbComputerName> and the server sent a timestamp (impacket fills both in itself).
    nt_again, lm_again, base_again = ntlm.computeResponseNTLMv2(
        flags, server_challenge, client_challenge, av_bytes, domain, user, password)

    session_base_key = ntlm.hmac_md5(response_key, computed_proof)
    kx_key = ntlm.KXKEY(flags, session_base_key, auth["lanman"], server_challenge, password, "", "")
    if flags & ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH:
        exported = ntlm.generateEncryptedSessionKey(kx_key, session_key)  # RC4 both ways
    else:
        exported = kx_key

    mic_offset = 64 + auth.checkVersion(flags)
    mic_present = min(auth[f + "_offset"] for f in ("domain", "user", "host", "lanman", "ntlm", "session_key")) >= mic_offset + 16
    zeroed = auth_bytes[:mic_offset] + b"\0" * 16 + auth_bytes[mic_offset + 16:]
    computed_mic = ntlm.hmac_md5(exported, negotiate + challenge_bytes + zeroed)

    flags_pair = client_pairs[ntlm.NTLMSSP_AV_FLAGS]
    av_flags = struct.unpack("<I", flags_pair[1])[0] if flags_pair else 0
    carried = all(
        client_pairs[k] is not None and client_pairs[k][1] == v[1]
        for k, v in server_pairs.fields.items() if k not in (ntlm.NTLMSSP_AV_EOL, ntlm.NTLMSSP_AV_FLAGS))
    cbt = client_pairs[ntlm.NTLMSSP_AV_CHANNEL_BINDINGS]

    return {
        "negotiate": {"flags": neg["flags"], "version": neg["os_version"].getData().hex() if neg["os_version"] else None},
        "authenticate": {
            "flags": flags, "user": user, "domain": domain,
            "workstation": auth["host_name"].decode("utf-16le"),
            "lmResponse": auth["lanman"].hex(),
            "version": auth["Version"].hex() if isinstance(auth["Version"], bytes) else None,
        },
        "blob": {
            "header": temp[:8].hex(), "time": temp[8:16].hex(), "clientChallenge": client_challenge.hex(),
            "reserved": temp[24:28].hex(), "trailer": temp[-4:].hex(),
            "avPairs": av_dict(client_pairs), "serverAvPairs": av_dict(server_pairs),
            "serverPairsCarried": carried, "micFlag": bool(av_flags & MIC_PROVIDED),
        },
        "ntProofStrMatches": computed_proof == proof,
        "ntResponseReproduced": nt_again == nt,
        "lmv2Expected": lm_again.hex(),
        "sessionBaseKey": session_base_key.hex(),
        "sessionBaseKeyReproduced": base_again == session_base_key,
        "exportedSessionKey": exported.hex(),
        "micPresent": mic_present,
        "micMatches": mic_present and auth_bytes[mic_offset:mic_offset + 16] == computed_mic,
        "channelBindings": cbt[1].hex() if cbt else None,
        "channelBindingsExpected": channel_bindings_hash(bytes.fromhex(job["certificate"])) if job.get("certificate") else None,
        # Client-to-server traffic opened with the server's view of the keys, and sealed for each side.
        "opened": open_messages(flags, exported, "Client", job.get("clientSealed", [])),
        "sealedForClient": seal_messages(flags, exported, "Server", job.get("sealForClient", [])),
        "sealedForServer": seal_messages(flags, exported, "Client", job.get("sealForServer", [])),
    }


MODES = {"challenge": build_challenge, "verify": verify}

if __name__ == "__main__":
    job = json.load(sys.stdin)
    print(json.dumps(MODES[job["mode"]](job)))
