#!/usr/bin/python3
"""Generate golden signing vectors for kernel/wire with jupyter_client.

Run from this directory with the Debian Python that has jupyter_client:

    /usr/bin/python3 gen_vectors.py

It writes signatures.json and messages.json next to itself. The Go tests
(sign_test.go) compare kernel/wire's Signer against these files, so the
expected values come from the reference implementation, not from our code.
"""

import base64
import json
import os

from jupyter_client.session import Session

HERE = os.path.dirname(os.path.abspath(__file__))

SCHEMES = ["hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"]
KEYS = ["", "a0436f6c-1916-498b-8eb9-e81ab9368e84", "short", "x" * 200]

# Exact byte strings for header, parent_header, metadata and content. They
# are signed as given, the way a receiver signs what arrived on the wire.
PARTS = [
    [
        '{"msg_id":"1","session":"s","username":"u","date":"2024-01-02T03:04:05.123456Z","msg_type":"execute_request","version":"5.3"}',
        "{}",
        "{}",
        '{"code":"print(1)","silent":false}',
    ],
    [
        '{"msg_type": "kernel_info_request", "msg_id": "abc"}',
        '{"msg_id": "parent"}',
        '{"deletedFields": []}',
        '{"text": "h\u00e9llo \u2713 \u65e5\u672c", "name": "stdout"}',
    ],
    ["{}", "{}", "{}", "{}"],
]


def b64(b):
    return base64.b64encode(b).decode("ascii")


def signatures():
    out = []
    for scheme in SCHEMES:
        for key in KEYS:
            s = Session(key=key.encode("utf8"), signature_scheme=scheme)
            for parts in PARTS:
                raw = [p.encode("utf8") for p in parts]
                out.append(
                    {
                        "scheme": scheme,
                        "key": key,
                        "parts": parts,
                        "signature": s.sign(raw).decode("ascii"),
                    }
                )
    return out


def messages():
    out = []
    cases = [
        ("hmac-sha256", "a0436f6c-1916-498b-8eb9-e81ab9368e84", [b"client-id"], []),
        ("hmac-sha512", "secret", [b"id1", b"\x00\xffid2"], [b"\x00\x01\x02", b""]),
        ("hmac-sha1", "", [], []),
        ("hmac-sha384", "k", [b"kernel.abc.status"], [b"buffer"]),
    ]
    for scheme, key, idents, buffers in cases:
        s = Session(key=key.encode("utf8"), signature_scheme=scheme, username="tester")
        parent = s.msg("execute_request", content={"code": "1+1"})
        msg = s.msg(
            "stream",
            content={"name": "stdout", "text": "h\u00e9llo \u2713\n"},
            parent=parent,
            metadata={"m": 1},
        )
        frames = s.serialize(msg, ident=idents) + buffers
        out.append(
            {
                "scheme": scheme,
                "key": key,
                "frames": [b64(f) for f in frames],
                "identities": len(idents),
                "buffers": len(buffers),
                "msg_id": msg["header"]["msg_id"],
                "msg_type": msg["header"]["msg_type"],
                "session": msg["header"]["session"],
                "username": msg["header"]["username"],
                "version": msg["header"]["version"],
                "parent_msg_id": parent["header"]["msg_id"],
                "content_text": msg["content"]["text"],
            }
        )
    return out


def main():
    for name, data in (("signatures.json", signatures()), ("messages.json", messages())):
        with open(os.path.join(HERE, name), "w", encoding="utf8") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
