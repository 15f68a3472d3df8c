"""smtpd.py: an SMTP server on loopback for the mail tests (aiosmtpd).

    /usr/bin/python3 smtpd.py --dir DIR [--port PORT] [--discard]
        [--auth USER:PASSWORD] [--tls CERT:KEY]

It listens on 127.0.0.1 (PORT, or a free one) and writes the port to
DIR/port once it does.  Each message it accepts goes to DIR/new/ as a
file of its own, N.eml, written under DIR/tmp and renamed (a server
started again on the same folder numbers on), and a line to
DIR/log.jsonl with the envelope, the time and the connection it came on.
--discard keeps the first message and then only the count, for
benchmarks.  --auth requires AUTH
(PLAIN or LOGIN, without TLS: this is loopback) before MAIL.  --tls
offers STARTTLS with that certificate and then AUTH only over TLS, as
Postfix with smtpd_tls_auth_only does.
DIR/stats.json says how many connections were made, how many were open
at most at once, how many MAIL commands came, how many messages were
accepted and refused, and how many ends of DATA it has left unanswered
(stalled); it is rewritten within a fifth of a second of a
change, and at SIGTERM.

Faults are set in DIR/control.json, read again whenever it changes
(write it elsewhere and rename it into place):
    {"fail_next": 2, "fail_code": 451}  refuse the next 2 messages after
                                        DATA (451: try again; 554: never)
    {"reject": ["a@example.org"]}       550 at RCPT for these recipients
    {"reject_sender": true}             553 at MAIL FROM, for every message
    {"stall": "connect"}                accept connections, never answer
    {"no_auth": true}                   offer no AUTH in the reply to EHLO
                                        and take mail without it, as a
                                        server set up wrong would
    {"starttls": 454}                   offer STARTTLS, then refuse it
    {"stall": "data"}                   never answer the end of DATA
    {"malformed": true}                 answer DATA with a line that is
                                        not SMTP, then an unknown code
    {"delay": 0.05}                     wait this long before answering
                                        each DATA
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult

warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class State:
    def __init__(self, folder, discard):
        self.dir = folder
        self.discard = discard
        self.control = {}
        self.control_key = None
        self.fail_left = 0
        self.connections = 0
        self.open = 0
        self.max_open = 0
        self.messages = 0
        self.refused = 0
        self.mail_cmds = 0
        self.stalled = 0
        self.dirty = True
        self.log = open(os.path.join(folder, "log.jsonl"), "a")
        os.makedirs(os.path.join(folder, "new"), exist_ok=True)
        os.makedirs(os.path.join(folder, "tmp"), exist_ok=True)
        # A server started again on the same folder numbers on.
        self.stored = len(os.listdir(os.path.join(folder, "new")))

    def ctl(self):
        """The control file, read again when it has changed."""
        path = os.path.join(self.dir, "control.json")
        try:
            st = os.stat(path)
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            key = None
        if key != self.control_key:
            self.control_key = key
            self.control = {}
            if key is not None:
                with open(path) as f:
                    self.control = json.load(f)
            self.fail_left = int(self.control.get("fail_next", 0))
        return self.control

    def write_stats(self):
        if not self.dirty:
            return
        self.dirty = False
        tmp = os.path.join(self.dir, "stats.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"connections": self.connections,
                       "max_open": self.max_open, "open": self.open,
                       "messages": self.messages,
                       "mail_commands": self.mail_cmds,
                       "refused": self.refused,
                       "stalled": self.stalled}, f)
        os.rename(tmp, os.path.join(self.dir, "stats.json"))


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        self.state.mail_cmds += 1
        self.state.dirty = True
        if self.state.ctl().get("reject_sender"):
            self.state.refused += 1
            return "553 5.7.1 <%s>: Sender address rejected: not owned " \
                "by user" % address
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower() in [a.lower() for a in
                               self.state.ctl().get("reject", [])]:
            self.state.refused += 1
            self.state.dirty = True
            return ("550 5.1.1 <%s>: Recipient address rejected: "
                    "User unknown" % address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        s = self.state
        ctl = s.ctl()
        if ctl.get("delay"):
            await asyncio.sleep(float(ctl["delay"]))
        if ctl.get("stall") == "data":
            s.stalled += 1
            s.dirty = True
            await asyncio.sleep(3600)
        if ctl.get("malformed"):
            return "this is not an SMTP reply\r\n099 nor is this"
        if s.fail_left > 0:
            s.fail_left -= 1
            s.refused += 1
            s.dirty = True
            code = int(ctl.get("fail_code", 451))
            if code >= 500:
                return "%d 5.7.1 Message refused by policy" % code
            return "%d 4.3.0 Try again later, the queue is full" % code
        s.messages += 1
        s.dirty = True
        n = s.messages
        if not s.discard or s.stored == 0:
            s.stored += 1
            n = s.stored
            name = "%d.eml" % n
            tmp = os.path.join(s.dir, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(envelope.original_content)
            os.rename(tmp, os.path.join(s.dir, "new", name))
            s.log.write(json.dumps({
                "n": n, "t": round(time.time(), 4), "file": name,
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "peer": list(session.peer), "conn": server.conn_no,
                "helo": session.host_name}) + "\n")
            s.log.flush()
        return "250 2.0.0 Ok: queued as %d" % n


class Server(SMTP):
    """Counts connections; the state's faults at connection time."""
    def __init__(self, state, handler, **kw):
        super().__init__(handler, **kw)
        self.state = state
        self.conn_no = 0

    def connection_made(self, transport):
        s = self.state
        s.connections += 1
        s.open += 1
        s.max_open = max(s.max_open, s.open)
        s.dirty = True
        self.conn_no = s.connections
        super().connection_made(transport)

    def connection_lost(self, exc):
        self.state.open -= 1
        self.state.dirty = True
        super().connection_lost(exc)

    async def smtp_STARTTLS(self, arg):
        code = self.state.ctl().get("starttls")
        if code:
            return await self.push("%d 4.7.0 TLS not available due to "
                                   "local problem" % int(code))
        return await super().smtp_STARTTLS(arg)


class Silent(asyncio.Protocol):
    """A connection accepted and never answered."""
    def __init__(self, state):
        self.state = state

    def connection_made(self, transport):
        self.state.connections += 1
        self.state.open += 1
        self.state.max_open = max(self.state.max_open, self.state.open)
        self.state.dirty = True
        self.transport = transport

    def connection_lost(self, exc):
        self.state.open -= 1
        self.state.dirty = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--discard", action="store_true")
    ap.add_argument("--auth", default="")
    ap.add_argument("--tls", default="")
    args = ap.parse_args()
    tls = None
    if args.tls:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(*args.tls.split(":", 1))
    state = State(args.dir, args.discard)
    handler = Handler(state)

    def authenticate(server, session, envelope, mechanism, auth_data):
        want = args.auth
        got = "%s:%s" % (auth_data.login.decode(),
                         auth_data.password.decode())
        ok = bool(want) and got == want
        return AuthResult(success=ok, handled=False)

    def factory():
        ctl = state.ctl()
        if ctl.get("stall") == "connect":
            return Silent(state)
        # AUTH required over TLS, of which there is none: not offered.
        no_auth = bool(ctl.get("no_auth"))
        return Server(state, handler, hostname="smtpd.test",
                      auth_required=bool(args.auth) and not no_auth,
                      auth_require_tls=no_auth or tls is not None,
                      authenticator=authenticate, tls_context=tls,
                      require_starttls=False,
                      data_size_limit=10 * 1024 * 1024)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port, reuse_address=True,
        backlog=512))
    port = srv.sockets[0].getsockname()[1]
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(args.dir, "port.tmp"),
              os.path.join(args.dir, "port"))

    def tick():
        state.write_stats()
        loop.call_later(0.2, tick)
    tick()
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    state.write_stats()


if __name__ == "__main__":
    sys.exit(main())
