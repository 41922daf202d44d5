"""serverlib.py -- start and stop `trine serve` for the server suite, and
speak HTTP to it. Standard library only. Every wait is bounded."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOKEN = "test-token-0123456789"
# How many times slower the server runs than usual (20 under valgrind,
# tests/valgrind/meson.build): every wait for it is that much longer.
SLOW = float(os.environ.get("TRINE_TEST_SLOW") or 1)


class Server:
    """A `trine serve` process on 127.0.0.1 and a free port."""

    def __init__(self, trine, store, *options, token=True):
        self.trine = trine
        self.lines = []
        self.dir = tempfile.mkdtemp(prefix="trine-serve-")
        args = [trine, "serve", store, "--port", "0"] + list(options)
        if token:
            self.token_file = os.path.join(self.dir, "token")
            with open(self.token_file, "w") as f:
                f.write(TOKEN + "\n")
            os.chmod(self.token_file, 0o600)
            args += ["--allow-update", "--token-file", self.token_file]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = self._wait_port(10 * SLOW)

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def _wait_port(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            for line in list(self.lines):
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    return int(m.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.kill()
        raise RuntimeError("the server did not start:\n" + "\n".join(self.lines))

    def request(self, method, path, body=None, headers=None, timeout=10):
        """(status, headers dict with lowercase names, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def query(self, text, accept=None, timeout=10):
        headers = {"Content-Type": "application/sparql-query"}
        if accept:
            headers["Accept"] = accept
        return self.request("POST", "/sparql", text.encode(), headers, timeout)

    def update(self, text, timeout=10):
        headers = {"Content-Type": "application/sparql-update",
                   "Authorization": "Bearer " + TOKEN}
        return self.request("POST", "/sparql", text.encode(), headers, timeout)

    def raw(self, data, timeout=5, read_limit=1 << 20):
        """Send raw bytes on a new connection; the bytes answered until the
        server closes, the limit or the timeout."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout * SLOW)
        try:
            try:
                s.sendall(data)
            except OSError:
                pass
            return read_all(s, read_limit)
        finally:
            s.close()

    def stop(self, seconds=10):
        """SIGTERM, then the exit status (None when it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(seconds * SLOW)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = None
        self._reader.join(2)
        if os.environ.get("TRINE_SERVE_LOG"):  # the server's stderr, to debug
            print("\n".join("  | " + line for line in self.lines))
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def alive(self):
        status, _, body = self.request("GET", "/health", timeout=5)
        return status == 200 and body == b"ok\n"


def read_all(sock, limit):
    out = b""
    try:
        while len(out) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    return out


def status_of(raw):
    """The status code of a raw HTTP response, or None."""
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


def make_store(trine, path, *commands):
    """A store at path, made by the trine shell running commands."""
    r = subprocess.run([trine, path] + list(commands) + [".stats"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=60 * SLOW)
    if r.returncode:
        raise RuntimeError("cannot make the store: " + r.stderr)


class Tally:
    """Counts and the closing line the test runners read."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""))
        sys.stdout.flush()
        return ok

    def skip(self, name, why):
        self.skipped += 1
        print("skip %s: %s" % (name, why))

    def finish(self):
        print("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0
