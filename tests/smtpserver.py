"""A real SMTP server on loopback for the mail tests (aiosmtpd).

``free_port()`` finds a port nobody listens on: a mail server that is down.
``SmtpServer(port)`` starts one there later: the server coming back.
"""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Recorder:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    # aiosmtpd calls the handler's methods by SMTP command name.
    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server: deliveries overlap
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"


class SmtpServer:
    """An SMTP server that records what it receives; a context manager."""

    def __init__(self, port: int, *, delay: float = 0.0) -> None:
        self.port = port
        self.recorder = _Recorder(delay)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
