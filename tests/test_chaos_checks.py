"""The chaos run's own parts, without daemons: its checks count from the emulators' effect journals, its relay
cuts and restores the way to a database on the same port, and `dozor run` finds a VK emulator through
DOZOR_VK_API_URL as `dozor check` does."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator

import pytest

from benchmarks.chaos.checks import check
from benchmarks.chaos.relay import Outage
from benchmarks.chaos.stream import Sent
from benchmarks.chaos.world import VK_GROUPS, VK_USER_TOKEN, ChaosWorld, start_world
from emulators.vk import api


@pytest.fixture
async def world() -> AsyncIterator[ChaosWorld]:
    started = await start_world()
    try:
        yield started
    finally:
        await started.close()


def _delete(world: ChaosWorld, gid: int, cid: int) -> None:
    api.call(world.vk, "wall.deleteComment", {"access_token": VK_USER_TOKEN, "owner_id": str(-gid),
                                              "comment_id": str(cid)})  # fmt: skip


async def test_checks_count_losses_doubles_and_restrictions(world: ChaosWorld) -> None:
    gid = VK_GROUPS[0]
    post = world.vk_posts[gid][0]
    bad = world.vk.add_comment(gid, post, 50_001, "obscene")
    good = world.vk.add_comment(gid, post, 50_002, "clean")
    lost = world.vk.add_comment(gid, post, 50_003, "obscene too")
    sent = [Sent("vk", gid, gid, bad, 50_001, "obscene", "obscene"),
            Sent("vk", gid, gid, good, 50_002, "clean", "clean"),
            Sent("vk", gid, gid, lost, 50_003, "obscene", "obscene too")]  # fmt: skip
    world.vk.set_rate_limit("user", 1000)
    _delete(world, gid, bad)
    api.call(world.vk, "wall.restoreComment", {"access_token": VK_USER_TOKEN, "owner_id": str(-gid),
                                               "comment_id": str(bad)})  # fmt: skip
    _delete(world, gid, bad)
    _delete(world, gid, good)
    api.call(
        world.vk, "groups.ban", {"access_token": VK_USER_TOKEN, "group_id": str(gid), "owner_id": "50002"}
    )
    found = check(world, sent, {("vk", str(gid), str(bad))})
    assert [len(found.doubled), len(found.clean_deleted), len(found.lost)] == [1, 1, 1]
    assert len(found.clean_restricted) == 1 and len(found.restrictions_missing) == 2
    assert len(found.unrecorded) == 2 and found.failed()


def _echo(conn: socket.socket) -> None:
    with conn:
        try:
            while data := conn.recv(64):
                conn.sendall(data)
        except OSError:
            return


def _echo_server() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def test_relay_cut_and_restored_on_the_same_port() -> None:
    server, port = _echo_server()
    relay = Outage(f"postgresql://postgres@127.0.0.1:{port}/x")
    try:
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as conn:
            conn.sendall(b"ping")
            assert conn.recv(4) == b"ping"
        relay.cut()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", relay.port), timeout=2).close()
        relay.restore()  # the port was held by the thread accepting on it before cut() shut it down
        with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as conn:
            conn.sendall(b"pong")
            assert conn.recv(4) == b"pong"
    finally:
        relay.close()
        server.close()


def test_dozor_run_finds_the_vk_emulator_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from dozor.config import Settings
    from dozor.platforms import Endpoints

    monkeypatch.setenv("DOZOR_VK_API_URL", "http://127.0.0.1:9/")
    assert Endpoints.from_environment(Settings()).vk_base_url == "http://127.0.0.1:9/"
    monkeypatch.delenv("DOZOR_VK_API_URL")
    assert Endpoints.from_environment(Settings()).vk_base_url is None
