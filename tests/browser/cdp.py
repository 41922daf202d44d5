"""cdp.py -- headless Chromium driven through the DevTools protocol over
--remote-debugging-pipe (JSON messages ended by NUL on file descriptors 3
and 4): no websocket, no port, standard library only. Every wait is bounded."""
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TRAMPOLINE = """
import os, sys
r, w = int(sys.argv[1]), int(sys.argv[2])
r2, w2 = os.dup(r), os.dup(w)  # above 4, so the dup2s cannot close each other
os.dup2(r2, 3)
os.dup2(w2, 4)
for fd in {r, w, r2, w2} - {3, 4}:
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


def find_browser():
    """The path of a Chromium, or None ($CHROMIUM first)."""
    for name in (os.environ.get("CHROMIUM"),) + BROWSERS:
        path = name and shutil.which(name)
        if path:
            return path
    return None


class Timeout(Exception):
    pass


class Browser:
    """One headless Chromium and one page (tab) in it."""

    def __init__(self, path, width=1100, height=800):
        self.profile = tempfile.mkdtemp(prefix="trine-chromium-")
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()

        # Chromium reads fd 3 and writes fd 4: a small Python puts the pipes
        # there and execs it (a preexec_fn would not be safe beside the
        # server's reader thread, and sh cannot name fds past 9).
        args = [sys.executable, "-c", TRAMPOLINE, str(to_child), str(from_child), path,
                "--headless", "--no-sandbox", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--mute-audio", "--window-size=%d,%d" % (width, height), "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(to_child, from_child),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buf = b""
        self._next = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False,
                           timeout=30)  # the first answer waits for the start
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target["targetId"], "flatten": True},
                                 session=False)["sessionId"]

    def _read(self, deadline):
        """The next message, or Timeout."""
        while b"\0" not in self._buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise Timeout("no answer from the browser")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise Timeout("the browser closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=10):
        """Send a command, keep the events read meanwhile, return its result."""
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def wait_event(self, method, timeout=10):
        """The first event called method not yet taken."""
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)["params"]
            msg = self._read(deadline)
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expression, timeout=10):
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, expression, timeout=10):
        """Poll until the expression is truthy; its value, or Timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.05)
        raise Timeout("still false after %g s: %s" % (timeout, expression))

    def key(self, key, code, keycode, modifiers=0):
        """Press and release one key (modifiers: 2 Ctrl, 8 Shift)."""
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                  "windowsVirtualKeyCode": keycode,
                                                  "modifiers": modifiers})

    def click(self, selector_js):
        """A real mouse click at the middle of the element selector_js
        (an expression giving an element)."""
        box = self.eval("(function(e){e.scrollIntoView({block:'center'});"
                        "var r=e.getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})"
                        "(%s)" % selector_js)
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", {"format": "png"}, timeout=20)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except (Timeout, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self._in, self._out):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)
