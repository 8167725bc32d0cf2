#!/usr/bin/env python3
"""One Access-Request sent with pyrad, as a network access server would, for the tests of
tests/cli/radius.rs. pyrad builds the packet (User-Password hidden as RFC 2865 section 5.2
says, the Message-Authenticator of RFC 3579 unless --no-message-authenticator) and checks each
answer (Response Authenticator, Message-Authenticator); this script only adds what a NAS never
does on purpose: the same bytes sent again (--times 2, a retransmission), a source address of
the test's choice (--source), and no Message-Authenticator.

Prints one JSON object: {"answers": [...]}, one entry per copy sent, null where no answer came
within --wait seconds, else {"code", "reply_messages", "state" (hex or null), "raw" (hex),
"verified"}.
"""

import argparse
import hashlib
import hmac
import json
import os
import socket

import pyrad.packet
from pyrad.dictionary import Dictionary

CODES = {
    pyrad.packet.AccessAccept: "Access-Accept",
    pyrad.packet.AccessReject: "Access-Reject",
    pyrad.packet.AccessChallenge: "Access-Challenge",
}


def message_authenticator_ok(data, request_authenticator, secret):
    """RFC 3579 section 3.2: an answer's Message-Authenticator is the HMAC-MD5, keyed with the
    shared secret, of the answer with the request's authenticator in place of its own and the
    Message-Authenticator's value zeroed."""
    attributes, pos, found = data[20:], 0, None
    while pos + 2 <= len(attributes):
        kind, length = attributes[pos], attributes[pos + 1]
        if length < 2:
            return False
        if kind == 80 and length == 18:
            found = pos
        pos += length
    if found is None:
        return False
    zeroed = attributes[: found + 2] + bytes(16) + attributes[found + 18 :]
    mac = hmac.new(secret, data[:4] + request_authenticator + zeroed, hashlib.md5).digest()
    return hmac.compare_digest(mac, attributes[found + 2 : found + 18])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True, help="IP:PORT")
    p.add_argument("--secret", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--state", help="the State of an Access-Challenge, hex")
    p.add_argument("--no-message-authenticator", action="store_true")
    p.add_argument("--times", type=int, default=1, help="send the same bytes this often")
    p.add_argument("--source", default="127.0.0.1", help="the address to send from")
    p.add_argument("--wait", type=float, default=5.0, help="seconds to wait for each answer")
    args = p.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    dictionary = Dictionary(os.path.join(here, "dictionary"))
    secret = args.secret.encode()
    req = pyrad.packet.AuthPacket(
        code=pyrad.packet.AccessRequest,
        secret=secret,
        dict=dictionary,
        User_Name=args.user,
        NAS_Identifier="pyrad",
    )
    req["User-Password"] = req.PwCrypt(args.password)
    if args.state:
        req["State"] = bytes.fromhex(args.state)
    if not args.no_message_authenticator:
        req.add_message_authenticator()
    raw = req.RequestPacket()

    host, port = args.server.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.source, 0))
    sock.settimeout(args.wait)
    answers = []
    for _ in range(args.times):
        sock.sendto(raw, (host, int(port)))
        try:
            data, _ = sock.recvfrom(4096)
        except socket.timeout:
            answers.append(None)
            continue
        reply = pyrad.packet.AuthPacket(packet=data, secret=secret, dict=dictionary)
        state = reply.get("State")
        answers.append({
            "code": CODES.get(reply.code, str(reply.code)),
            "reply_messages": list(reply.get("Reply-Message") or []),
            "state": state[0].hex() if state else None,
            "raw": data.hex(),
            "verified": bool(req.VerifyReply(reply, data))
            and message_authenticator_ok(data, req.authenticator, secret),
        })
    print(json.dumps({"answers": answers}))


if __name__ == "__main__":
    main()
