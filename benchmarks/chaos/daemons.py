"""The daemons of a chaos run: separate OS processes started as an administrator starts them
(`dozor run --config FILE` with the tokens in the environment), SIGKILLed and started again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


def dozor_command() -> Path:
    """The `dozor` entry point of the virtual environment running this harness."""
    return Path(sys.executable).parent / "dozor"


@dataclass
class Daemon:
    """One daemon process slot: started, killed and restarted any number of times."""

    index: int
    config: Path
    env: dict[str, str]
    logs: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        if self.alive:
            return
        self.starts += 1
        log = (self.logs / f"daemon{self.index}-{self.starts}.log").open("wb")
        command = [str(dozor_command()), "run", "--config", str(self.config), "--log-level", "INFO"]
        self.process = subprocess.Popen(
            command, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT, cwd=self.logs
        )
        log.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: nothing the daemon would do on its way out happens."""
        if self.process is not None and self.alive:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, as systemd stops it; SIGKILL if it does not end in time. Returns the exit code."""
        if self.process is None:
            return None
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def exited_on_its_own(self) -> int | None:
        """The exit code of a daemon that ended without being killed (a crash the run must report)."""
        if self.process is None or self.alive:
            return None
        code = self.process.returncode
        return None if code in (-signal.SIGKILL, -signal.SIGTERM, 0) else code


@dataclass
class Daemons:
    """N daemons over one configuration and one database."""

    slots: list[Daemon] = field(default_factory=list)
    kills: int = 0
    crashes: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, count: int, config: Path, env: dict[str, str], logs: Path) -> Daemons:
        return cls([Daemon(i, config, env, logs) for i in range(count)])

    def start_all(self) -> None:
        for slot in self.slots:
            self._note_crash(slot)
            slot.start()

    def kill(self, index: int) -> None:
        slot = self.slots[index]
        if slot.alive:
            slot.kill()
            self.kills += 1

    def stop_all(self) -> None:
        for slot in self.slots:
            self._note_crash(slot)
            slot.stop()

    def _note_crash(self, slot: Daemon) -> None:
        code = slot.exited_on_its_own()
        if code is not None:
            self.crashes.append(f"daemon {slot.index} (start {slot.starts}) exited with {code}")
            slot.process = None
