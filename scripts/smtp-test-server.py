"""A real SMTP server for the test suite: accepts every message on 127.0.0.1 and writes each, as
received, to its own file in a directory the tests read: one JSON document per message with the
envelope (`mail_from`, `rcpt_tos`), the `headers` as [name, value] pairs, the decoded `text` and
`html` parts (Python's own MIME parser, independent of the sender's), and the `raw` message.

    python3 scripts/smtp-test-server.py PORT MAILDIR

Uses aiosmtpd (Debian's python3-aiosmtpd; scripts/deps.sh installs it)."""

import asyncio
import email
import email.policy
import itertools
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Maildir:
    def __init__(self, path):
        self.path = path
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)

        def part(kind):
            body = message.get_body((kind,))
            return body.get_content() if body is not None else None

        document = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[name, str(value)] for name, value in message.items()],
            "text": part("plain"),
            "html": part("html"),
            "raw": raw.decode("utf-8", "replace"),
        }
        name = f"{os.getpid()}-{next(self.counter)}.json"
        temp = os.path.join(self.path, f".{name}.tmp")
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(document, f)
        # Renamed into place, so a test never reads half a message.
        os.rename(temp, os.path.join(self.path, name))
        return "250 Message accepted for delivery"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    os.makedirs(path, exist_ok=True)
    controller = Controller(Maildir(path), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp-test: listening on 127.0.0.1:{port}, writing to {path}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
