"""A real MediaWiki for tests: Debian's package, SQLite, PHP's built-in server.

``MediaWiki`` installs a throwaway wiki with ``install.php`` into a temporary
directory (database, ``LocalSettings.php``), runs maintenance scripts against
it with ``MW_CONFIG_FILE`` pointing there, and serves it with ``php -S`` on
127.0.0.1 and a free port. Nothing is written under /etc or /var/lib: the
package's files in /usr/share/mediawiki are only read.

Every skin Debian's package ships in /usr/share/mediawiki/skins is enabled
(``SKINS``: legacy Vector and Vector 2022, MinervaNeue, MonoBook, Timeless);
legacy Vector stays the default.

``missing()`` says what is not installed (the packages ``mediawiki`` and
``php-sqlite3``, without recommends; .ci/run installs them), or None.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final
from urllib.parse import quote

from tests.support.servers import Running, free_port

ROOT: Final = Path("/usr/share/mediawiki")
PHP: Final = shutil.which("php")
PACKAGES: Final = "mediawiki php-sqlite3 (apt-get install --no-install-recommends; .ci/run does)"
#: The skins Debian's mediawiki package (1.39) ships, by directory: all are enabled.
SKINS: Final = ("Vector", "MinervaNeue", "MonoBook", "Timeless")
#: Every maintenance script and server start must finish within this many seconds.
COMMAND_TIMEOUT: Final = 120.0
START_TIMEOUT: Final = 30.0


def missing() -> str | None:
    """Why no wiki can be installed here, or None when everything is in place."""
    if PHP is None:
        return f"no php binary on PATH: install {PACKAGES}"
    needed = [
        ROOT / "maintenance" / "install.php",
        ROOT / "extensions" / "Gadgets" / "extension.json",
        *(ROOT / "skins" / skin / "skin.json" for skin in SKINS),
    ]
    absent = [str(path) for path in needed if not path.is_file()]
    if absent:
        return f"MediaWiki is not installed ({', '.join(absent)} missing): install {PACKAGES}"
    probe = subprocess.run(  # noqa: S603 - the php binary with a fixed expression
        [PHP, "-r", 'exit(extension_loaded("pdo_sqlite") ? 0 : 1);'], check=False
    )
    if probe.returncode != 0:
        return f"PHP has no pdo_sqlite: install {PACKAGES}"
    return None


class MediaWikiError(RuntimeError):
    """A maintenance script or the server failed; the message holds its output."""


class MediaWiki(Running):
    """One throwaway wiki, installed and served from a temporary directory.

    ``settings`` is PHP appended to the generated ``LocalSettings.php``.
    Use as a context manager: the server stops and the directory goes away.
    """

    def __init__(self, *, name: str, admin: str, password: str, settings: str = "") -> None:
        self.name, self.admin, self.password = name, admin, password
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._settings = settings
        self._dir = tempfile.TemporaryDirectory(prefix="outreach-mediawiki-")
        self.path = Path(self._dir.name)
        self.config = self.path / "LocalSettings.php"
        self.server_log = self.path / "php-server.log"
        self._server: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        return {**os.environ, "MW_CONFIG_FILE": str(self.config)}

    def _php(self, args: list[str], *, stdin: str | None = None) -> str:
        assert PHP is not None
        done = subprocess.run(  # noqa: S603 - php with MediaWiki's own scripts
            [PHP, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self._env(),
            cwd=ROOT,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise MediaWikiError(f"php {' '.join(args)}: {done.stdout}\n{done.stderr}")
        return done.stdout

    def maintenance(self, script: str, *args: str, stdin: str | None = None) -> str:
        """Run ``maintenance/SCRIPT.php`` on this wiki; its output, or MediaWikiError."""
        return self._php([str(ROOT / "maintenance" / f"{script}.php"), *args], stdin=stdin)

    def install(self) -> None:
        """``install.php`` into the temporary directory, then the extra settings."""
        self._php(
            [
                str(ROOT / "maintenance" / "install.php"),
                "--dbtype=sqlite",
                f"--dbpath={self.path / 'db'}",
                "--dbname=wiki",
                f"--confpath={self.path}",
                f"--server={self.url}",
                "--scriptpath=",
                "--lang=en",
                "--pass=" + self.password,
                "--extensions=Gadgets",
                "--skins=" + ",".join(SKINS),
                self.name,
                self.admin,
            ]
        )
        with self.config.open("a", encoding="utf-8") as config:
            config.write("\n# Added by the test suite\n$wgDefaultSkin = 'vector';\n")
            config.write(f"{self._settings}\n")

    def edit(self, title: str, text: str, summary: str, *, user: str | None = None) -> None:
        """Save ``text`` as the page ``title`` (``edit.php``), as ``user`` or the administrator."""
        editor = f"--user={user or self.admin}"
        self.maintenance("edit", editor, f"--summary={summary}", title, stdin=text)

    def create_account(self, username: str, password: str) -> None:
        self.maintenance("createAndPromote", username, password)

    def page_url(self, title: str, **params: str) -> str:
        """``index.php?title=...`` for ``title`` with query parameters."""
        query = "".join(f"&{key}={quote(value)}" for key, value in params.items())
        return f"{self.url}/index.php?title={quote(title.replace(' ', '_'), safe=':/')}{query}"

    def start(self) -> None:
        """Serve the wiki with ``php -S`` (a few workers) and wait until it answers."""
        assert PHP is not None
        log = self.server_log.open("ab")
        self._server = subprocess.Popen(  # noqa: S603 - php's built-in server on loopback
            [PHP, "-d", "opcache.enable_cli=1", "-S", f"127.0.0.1:{self.port}", "-t", str(ROOT)],
            env={**self._env(), "PHP_CLI_SERVER_WORKERS": "4"},
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its workers share a process group, stopped together
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.02)  # polling the socket until it accepts
        log_text = self.server_log.read_text(errors="replace")
        self.stop()
        raise MediaWikiError(f"php -S did not start on port {self.port}: {log_text}")

    def stop(self) -> None:
        """Stop the server and its workers (its own process group)."""
        server, self._server = self._server, None
        if server is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(server.pid, sig)
            except ProcessLookupError:
                break
            try:
                server.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue

    def close(self) -> None:
        self._dir.cleanup()

    def prepare(self) -> None:
        self.install()
