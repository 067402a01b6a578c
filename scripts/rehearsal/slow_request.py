"""A request in flight while the container is told to stop (scripts/image_rehearsal.sh): sign in, send
the head and half the body of ``POST /api/v1/employers``, wait, then the rest; print the reply's status.

    python slow_request.py http://ADDRESS:8000 EMAIL PASSWORD [SECONDS]
"""

from __future__ import annotations

import json
import random
import socket
import sys
import time

import httpx


def business_id() -> str:
    """A random valid Finnish business id (Y-tunnus): seven digits and their check digit."""
    while True:
        digits = [random.randint(0, 9) for _ in range(7)]
        remainder = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if remainder != 1:
            check = 0 if remainder == 0 else 11 - remainder
            return "".join(map(str, digits)) + f"-{check}"


def main(base: str, email: str, password: str, wait: float) -> None:
    token = httpx.post(f"{base}/api/v1/auth/token", json={"email": email, "password": password}, timeout=30)
    token.raise_for_status()
    body = json.dumps({"business_id": business_id(), "name": "Hidas Kuljetus Oy", "municipality": "Turku"})
    data = body.encode()
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    sock.sendall(
        (
            f"POST /api/v1/employers HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token.json()['access_token']}\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        + data[: len(data) // 2]
    )
    started = time.monotonic()
    time.sleep(wait)
    sock.sendall(data[len(data) // 2 :])
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
        head, _, rest = reply.partition(b"\r\n\r\n")
        lengths = [
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ]
        if lengths and len(rest) >= lengths[0]:
            break
    sock.close()
    status = reply.split(b" ", 2)[1].decode()
    print(f"status {status} after {time.monotonic() - started:.1f} s with the body half sent")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 8.0)
