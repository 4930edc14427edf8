"""Headless Chromium driven over the DevTools protocol on a pipe, with the standard library only.

The pages forbid scripts (their CSP), so nothing is injected into them: DevTools evaluates expressions
from outside, which a page's CSP does not govern, and records every request the page makes.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
    "--remote-debugging-pipe",
]
TIMEOUT = 30
"""Seconds to wait for any message from Chromium before giving up on it."""


def executable() -> str | None:
    """Return the path of Chromium (Debian's `chromium`, or Google's build), or None when none is installed."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def _moved_up(fd: int) -> int:
    """Return a copy of `fd` numbered 10 or more, closing `fd`."""
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium; `open` loads a file at a viewport width and returns the tab to inspect."""

    def __init__(self, path: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        # The protocol pipe is fixed at fds 3 (commands in) and 4 (replies out); bash puts ours there,
        # from fds above 9 so that no move overwrites the other end.
        to_browser, from_browser = (_moved_up(fd) for fd in (to_browser, from_browser))
        shell = f'exec "$@" 3<&{to_browser} 4>&{from_browser} {to_browser}<&- {from_browser}>&-'
        self._process = subprocess.Popen(
            ["bash", "-c", shell, "bash", path, *FLAGS, f"--user-data-dir={self._profile.name}"],
            pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        """Close the pipe, upon which Chromium exits (killed if it has not after 10 s), and drop its profile."""
        os.close(self._commands)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._replies)
        self._profile.cleanup()

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept in `events`."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """Return the first event `method` of the session not yet taken, reading until it arrives."""
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(index)
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if not select.select([self._replies], [], [], TIMEOUT)[0]:
                raise RuntimeError(f"Chromium sent nothing for {TIMEOUT} s")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        value: dict[str, Any] = json.loads(message)
        return value

    def open(self, page: Path, width: int, height: int = 800) -> Tab:
        """Load `page` in a new tab `width` CSS pixels wide (a phone's viewport when narrow) and wait for it."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tab = Tab(self, target, session)
        tab.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                 mobile=width < 600)
        tab.send("Network.enable")
        tab.send("Page.enable")
        tab.send("Page.navigate", url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired", session)
        return tab


class Tab:
    """A loaded page: evaluate expressions in it and list the requests it made."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self._browser = browser
        self._target = target
        self._session = session

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self._browser.send(method, self._session, **params)

    def eval(self, expression: str) -> Any:
        """Return the JSON value of a JavaScript expression evaluated in the page."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def requests(self) -> list[str]:
        """The URLs of every request the page has made so far."""
        return [event["params"]["request"]["url"] for event in self._browser.events
                if event.get("sessionId") == self._session and event.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        """Close the tab and forget its events."""
        self._browser.send("Target.closeTarget", targetId=self._target)
        self._browser.events = [event for event in self._browser.events if event.get("sessionId") != self._session]
