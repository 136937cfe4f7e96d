"""`sitegen deploy` over SFTP (sshfs) to a real SSH server on 127.0.0.1: asyncssh's own
server, started here with a fresh host key, chrooted to a temporary folder. The client key
and known_hosts come from ~/.ssh (a temporary HOME), as they would in use."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from deploy_sites import broken_reachable, tree, write_site

asyncssh = pytest.importorskip("asyncssh")
pytest.importorskip("sshfs")

Run = Callable[..., Result]


class SftpServer:
    def __init__(self, root: Path, authorized: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        chroot = str(root)

        class Chrooted(asyncssh.SFTPServer):  # type: ignore[misc]
            def __init__(self, chan: Any) -> None:
                super().__init__(chan, chroot=chroot)

        self.thread.start()
        async def listen() -> Any:
            return await asyncssh.listen("127.0.0.1", 0, server_host_keys=[self.host_key],
                                         authorized_client_keys=str(authorized),
                                         sftp_factory=Chrooted, allow_scp=False)

        self.acceptor = asyncio.run_coroutine_threadsafe(listen(), self.loop).result(20)
        self.port: int = self.acceptor.sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.acceptor.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def sftp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Path]]:
    home = tmp_path / "home"
    ssh = home / ".ssh"
    ssh.mkdir(parents=True)
    client = asyncssh.generate_private_key("ssh-ed25519")
    client.write_private_key(str(ssh / "id_ed25519"))
    client.write_public_key(str(ssh / "authorized"))
    root = tmp_path / "server"
    (root / "www").mkdir(parents=True)
    server = SftpServer(root, ssh / "authorized")
    host = server.host_key.export_public_key().decode().strip()
    (ssh / "known_hosts").write_text(f"[127.0.0.1]:{server.port} {host}\n", "utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    try:
        yield server.port, root / "www"
    finally:
        server.stop()


def test_sftp_deploy(run: Run, tmp_path: Path, sftp: tuple[int, Path]) -> None:
    port, www = sftp
    site = write_site(tmp_path / "site", 1)
    url = f"sftp://127.0.0.1:{port}/www"
    (www / "theirs.txt").write_text("someone else's", "utf-8")
    r = run("deploy", url, "--site", site, "--force")
    assert r.code == 0, r.err
    assert "uploaded 37 files" in r.out
    r = run("deploy", url, "--site", site, "--force")
    assert "(0 files sent)" in r.out
    (site / "output" / "a07" / "index.html").write_text("<h1>Edited</h1>\n", "utf-8")
    r = run("deploy", url, "--site", site, "--force")
    assert "uploaded 1 files" in r.out, r.out + r.err
    write_site(site, 2)
    r = run("deploy", url, "--site", site, "--force")
    assert r.code == 0 and "deleted 5 files" in r.out, r.out + r.err
    assert tree(www) == {**tree(site / "output"), "theirs.txt": b"someone else's"}
    assert broken_reachable(www) == []
