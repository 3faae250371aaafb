"""Throwaway PostgreSQL clusters on loopback ports, for the tests and bench/scale.py.

The binaries are Debian's (`scripts/system-packages` installs postgresql-15 into
/usr/lib/postgresql/15/bin). initdb refuses to run as root, so as root every server
command runs as the `postgres` user the package creates, in a folder it owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Settings for a server whose data is thrown away: no fsync, small and quick.
THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "listen_addresses": "127.0.0.1",
    "max_connections": "100",
    "shared_buffers": "128MB",
}


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed, or the server would not start."""


def server_bindir() -> Path:
    """Where Debian keeps initdb/pg_ctl (DECLASS_PG_BINDIR overrides), newest version."""
    given = os.environ.get("DECLASS_PG_BINDIR")
    if given:
        return Path(given)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise ClusterUnavailable(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin"
            " (run scripts/system-packages)"
        )
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Cluster:
    """One PostgreSQL cluster in its own folder, listening on 127.0.0.1:`port`."""

    def __init__(self, root: Path, port: int, bindir: Path) -> None:
        self.root, self.port, self.bindir = root, port, bindir
        self.data = root / "data"
        self.log = root / "server.log"

    @classmethod
    def create(cls, name: str = "declass-pg", bindir: Path | None = None) -> Cluster:
        """initdb a new cluster in a fresh temporary folder (not started)."""
        bindir = bindir or server_bindir()
        cluster = cls(_server_folder(name), free_port(), bindir)
        cluster._run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        return cluster

    @classmethod
    def replica_of(cls, primary: Cluster, name: str = "declass-pg-replica") -> Cluster:
        """A streaming replica: a base backup of `primary` with -R (standby.signal)."""
        cluster = cls(_server_folder(name), free_port(), primary.bindir)
        cluster._run(
            "pg_basebackup",
            "-D",
            str(cluster.data),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-X",
            "stream",
            "-c",
            "fast",
            "-R",
        )
        return cluster

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, **settings: str) -> None:
        conf = {**THROWAWAY_SETTINGS, "unix_socket_directories": str(self.root), **settings}
        options = " ".join(f"-c {k}={v}" for k, v in conf.items())
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            f"-p {self.port} {options}",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.data), check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [*_as_server_user(), str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterUnavailable(
                f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{log}"
            )


def _server_folder(name: str) -> Path:
    # Not under pytest's tmp_path: its parents are private to root, and the server
    # runs as postgres.
    root = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ClusterUnavailable("no postgres user to run the server as") from exc
        os.chown(root, entry.pw_uid, entry.pw_gid)
    return root


def wait_until(condition: object, timeout: float = 30.0, every: float = 0.05) -> bool:
    """Poll `condition()` until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(every)
    return False
