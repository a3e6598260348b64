"""A tiny SMTP server on a loopback port for tests: just enough of the protocol for
smtplib (no TLS, no login), optionally slow to greet, recording every message it accepts."""

import email
import email.policy
import socket
import threading
import time


def closed_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackSmtp:
    """with LoopbackSmtp(greet_after=3) as smtp: ... smtp.port, smtp.messages."""

    def __init__(self, greet_after: float = 0.0):
        self.greet_after = greet_after
        self.messages: list[email.message.EmailMessage] = []
        self.connected = threading.Event()  # a client is connected (and waiting, if slow)
        self.delivered = threading.Event()  # a message has been accepted
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        self._sock.close()

    def subjects(self) -> list[str]:
        return [message["Subject"] for message in self.messages]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as incoming:
            self.connected.set()
            time.sleep(self.greet_after)

            def reply(text: str) -> None:
                conn.sendall(text.encode() + b"\r\n")

            reply("220 loopback ESMTP")
            for line in incoming:
                command = line[:4].upper()
                if command == b"EHLO":
                    reply("250-loopback\r\n250 8BITMIME")
                elif command == b"DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    lines = []
                    for data in incoming:
                        if data == b".\r\n":
                            break
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self.messages.append(email.message_from_bytes(
                        b"".join(lines), policy=email.policy.default))
                    self.delivered.set()
                    reply("250 queued")
                elif command == b"QUIT":
                    reply("221 bye")
                    return
                elif command in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    reply("250 ok")
                else:
                    reply("502 not implemented")
