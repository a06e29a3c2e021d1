"""fotasim: a Python client for the virtual Quectel EC200U / EG915U module (standard library only).

Starts a module on a temporary state dir, opens its ports as a host does (pyserial when it is
installed, else the PTY directly), sends control requests and waits for events:

    with fotasim.Module(timing="instant") as m:
        usb = m.port("usb")
        assert usb.command("ATI")[-1] == "OK"
        m.control("power", action="cut")
        m.wait_event("tx", match="RDY", port="main",
                     then={"cmd": "power", "action": "on"})

For pytest, the fixture `fotasim_module` (fotasim.pytest_plugin) gives a started module.
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import time
import tty

__all__ = ["Module", "Port", "FotasimError", "find_fotasim"]


class FotasimError(Exception):
    """fotasim did not start, a control request failed, or a wait timed out."""


def find_fotasim():
    """The fotasim program: $FOTASIM_BIN, else the build beside this checkout, else PATH."""
    if os.environ.get("FOTASIM_BIN"):
        return os.environ["FOTASIM_BIN"]
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.normpath(os.path.join(here, "..", "..", "..", "build", "fotasim"))
    if os.access(built, os.X_OK):
        return built
    found = shutil.which("fotasim")
    if not found:
        raise FotasimError("fotasim not found: set FOTASIM_BIN or build it (tools/dev build)")
    return found


class Port:
    """One of the module's ports, opened as a host opens a serial device (raw, no echo)."""

    def __init__(self, path):
        self.path = path
        self._serial = None
        try:
            import serial  # pyserial, when present
            self._serial = serial.Serial(path, 115200, timeout=0)
            self.fd = self._serial.fileno()
        except ImportError:
            self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(self.fd, termios.TCSANOW)
        self._pending = b""

    def close(self):
        if self._serial is not None:
            self._serial.close()
        elif self.fd >= 0:
            os.close(self.fd)
        self.fd = -1

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def read(self, timeout=0.2):
        """Whatever arrives until the port is quiet for `timeout` seconds."""
        out = self._pending
        self._pending = b""
        while True:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return out
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return out
            out += chunk

    def read_until(self, expected, timeout=5.0):
        """Bytes up to and including `expected` (bytes or str); FotasimError on timeout."""
        if isinstance(expected, str):
            expected = expected.encode()
        deadline = time.monotonic() + timeout
        buf = self._pending
        while expected not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self._pending = buf
                raise FotasimError("%s: no %r within %.1f s (got %r)" %
                                   (self.path, expected, timeout, buf[-200:]))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise FotasimError("%s: the port went away" % self.path)
                buf += chunk
        end = buf.index(expected) + len(expected)
        self._pending = buf[end:]
        return buf[:end]

    _final = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r]*|\+CMS ERROR: [^\r]*)\r\n")

    def command(self, line, timeout=5.0):
        """Sends an AT command line (CR added) and returns the answer's lines, the final
        result (OK, ERROR, +CME ERROR: n) last; the echo, if on, is left out."""
        self.write(line.encode() + b"\r")
        deadline = time.monotonic() + timeout
        buf = b""
        while not self._final.search(buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise FotasimError("%s: no final result for %r (got %r)" % (self.path, line, buf))
            buf += self.read_until(b"\r\n", left)
        text = buf.decode("latin-1")
        if text.startswith(line + "\r"):  # the echo
            text = text[len(line) + 1:]
        return [l for l in text.split("\r\n") if l]


class Module:
    """A fotasim process with one module, on a temporary state dir unless one is given."""

    def __init__(self, timing="instant", state_dir=None, args=(), fotasim=None, ready_timeout=30):
        self.fotasim = fotasim or find_fotasim()
        self._own_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="fotasim-py-")
        self.timing = timing
        self.args = list(args)
        self.ready_timeout = ready_timeout
        self.proc = None
        self.ports = {}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        os.makedirs(self.state_dir, exist_ok=True)
        cmd = [self.fotasim, "--state-dir", self.state_dir, "--timing", self.timing,
               "--log", os.path.join(self.state_dir, "fotasim.log")] + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], self.ready_timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("fotasim: ready"):
            self.proc.kill()
            err = self.proc.stderr.read().decode().strip()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
            self.proc = None
            if self._own_dir:
                shutil.rmtree(self.state_dir, ignore_errors=True)
            raise FotasimError("fotasim did not get ready: %s" % (err or line or "no answer"))
        fields = dict(f.split("=", 1) for f in line.split()[2:] if "=" in f)
        self.control_path = fields.get("control")
        return self

    def link(self, name):
        """The path a host opens for a port: main, usb or modem."""
        return os.path.join(self.state_dir, {"main": "ttyMAIN", "usb": "ttyUSBAT",
                                             "modem": "ttyUSBMODEM"}[name])

    def port(self, name, boot_urcs=True):
        """Opens a port (main, usb, modem); with boot_urcs, reads up to the boot's last URC."""
        p = Port(self.link(name))
        self.ports[name] = p
        if boot_urcs and name != "modem":
            p.read_until(b"+QIND: SMS DONE\r\n", 15)
        return p

    def _requests(self, reqs, wait_s):
        """Sends requests on one connection, in order; returns their replies by id."""
        replies = {}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(wait_s)
            s.connect(self.control_path)
            s.sendall(b"".join(json.dumps(dict(r, id=i)).encode() + b"\n"
                               for i, r in enumerate(reqs)))
            buf = b""
            while len(replies) < len(reqs):
                if b"\n" not in buf:
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        break
                    if not chunk:
                        break
                    buf += chunk
                    continue
                line, buf = buf.split(b"\n", 1)
                reply = json.loads(line.decode())
                replies[reply.get("id")] = reply
        return [replies.get(i, {"ok": False, "error": "no reply"}) for i in range(len(reqs))]

    def control(self, cmd, module=None, *, wait_s=15.0, **params):
        """One control request (docs/control.md): cmd and its parameters as keywords; returns
        the reply, FotasimError if it is not ok. wait_s: how long to wait for the reply."""
        req = dict(params, cmd=cmd)
        if module is not None:
            req["module"] = module
        reply = self._requests([req], wait_s)[0]
        reply.pop("id", None)
        if not reply.get("ok"):
            raise FotasimError("%s: %s" % (cmd, reply.get("error", "no reply")))
        return reply

    def status(self):
        return self.control("status")["status"]

    def wait_event(self, event, match=None, port=None, timeout=5000, then=None):
        """Waits (real ms) for an event of this type (rx, tx, urc, cmd, result, state, network)
        whose text holds `match`; returns it. A wait sees only what happens after it starts:
        `then` (a request, e.g. {"cmd": "power", "action": "on"}) is sent right behind it on
        the same connection, so the event it causes cannot be missed."""
        req = {"cmd": "wait", "event": event, "timeout": timeout}
        if match is not None:
            req["match"] = match
        if port is not None:
            req["port"] = port
        replies = self._requests([req] + ([then] if then else []), timeout / 1000.0 + 5)
        if then and not replies[1].get("ok"):
            raise FotasimError("%s: %s" % (then.get("cmd"), replies[1].get("error")))
        if not replies[0].get("ok"):
            raise FotasimError("no %s event%s within %d ms (%s)" %
                               (event, " matching %r" % match if match else "", timeout,
                                replies[0].get("error")))
        return replies[0]["event"]

    def stop(self):
        for p in self.ports.values():
            p.close()
        self.ports = {}
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()
        self.proc = None
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
