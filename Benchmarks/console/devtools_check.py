#!/usr/bin/env python3
"""Opens pages in a headless Chromium over the DevTools protocol and reports, per page, every
console message, uncaught exception and log entry (refused resources and Content-Security-Policy
violations arrive as log entries; the page's own status is left to the caller), every image that
did not load, and every inline SVG that did not lay out (no size). Saves each page's DOM as
Chromium built it (NAME.html) and a 1280-wide screenshot (NAME.png) into OUT_DIR. Standard
library only (a minimal WebSocket client).

    devtools_check.py WS_URL OUT_DIR NAME=PAGE_URL [NAME=PAGE_URL ...]

WS_URL is the browser's DevTools endpoint (Chromium prints it when started with
--remote-debugging-port). Prints one JSON line per page: {"name", "url", "problems": [...],
"svgs", "title"}; exits 0 (the caller decides what fails).
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.parse


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client masking."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("the DevTools endpoint closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"no WebSocket upgrade: {head.splitlines()[0]!r}")

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                  bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                                  bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("the DevTools endpoint closed")
            out += chunk
        return out

    def receive(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise ConnectionError("the DevTools endpoint closed the socket")
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)


class Session:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        self.ws.sock.settimeout(30)
        while True:
            m = self.ws.receive()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method, session, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for k, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self.events[k]
                    return e
            self.ws.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(self.ws.receive())
            except socket.timeout:
                break
        return None


DOM_CHECK = """(() => {
  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => 'image not loaded: ' + i.src);
  const svgs = [...document.querySelectorAll('svg')];
  const flat = svgs.filter(s => { const r = s.getBoundingClientRect(); return r.width === 0 || r.height === 0; })
                   .map(s => 'an SVG with no size: ' + (s.getAttribute('aria-label') || s.outerHTML.slice(0, 60)));
  return JSON.stringify({problems: broken.concat(flat), svgs: svgs.length, title: document.title,
                         html: document.documentElement.outerHTML});
})()"""


def check(cdp, name, url, out):
    target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
    session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
        cdp.call(domain, session)
    cdp.call("Emulation.setDeviceMetricsOverride", session, width=1280, height=2200, deviceScaleFactor=1, mobile=False)
    cdp.call("Page.navigate", session, url=url)
    loaded = cdp.wait_for("Page.loadEventFired", session, 15)
    time.sleep(0.3)  # late messages
    cdp.wait_for("None", session, 0.2)
    problems = [] if loaded else ["the page did not finish loading in 15 s"]
    for e in cdp.events:
        if e.get("sessionId") != session:
            continue
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console.{p.get('type')}: {args}")
        elif m == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            problems.append("uncaught: " + details.get("exception", {}).get("description", details.get("text", "")).split("\n")[0])
        elif m == "Log.entryAdded":
            entry = p.get("entry", {})
            if entry.get("source") == "network" and entry.get("url") == url:
                continue  # the page's own status: the caller checks it
            problems.append(f"log {entry.get('level')} ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
    cdp.events = [e for e in cdp.events if e.get("sessionId") != session]
    result = cdp.call("Runtime.evaluate", session, expression=DOM_CHECK, returnByValue=True)
    dom = json.loads(result.get("result", {}).get("value", "{}"))
    with open(os.path.join(out, name + ".html"), "w", encoding="utf-8") as f:
        f.write(dom.get("html", ""))
    shot = cdp.call("Page.captureScreenshot", session, format="png")
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(base64.b64decode(shot.get("data", "")))
    cdp.call("Target.closeTarget", targetId=target)
    return {"name": name, "url": url, "problems": problems + dom.get("problems", []), "svgs": dom.get("svgs", 0),
            "title": dom.get("title", "")}


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cdp = Session(WebSocket(sys.argv[1]))
    for pair in sys.argv[3:]:
        name, url = pair.split("=", 1)
        print(json.dumps(check(cdp, name, url, sys.argv[2]), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
