#!/usr/bin/env python3
"""html_chromium.py PAGE.html SHOT.png: open an exported deck in headless Chromium through
chromedriver (WebDriver over HTTP, standard library only), press the right arrow key, select the
slide's text and click, save a screenshot, and print the visible slide/step before and after,
where its pictures are, the text a reader would copy, and the step after the click."""
import base64
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["value"]


def main(page, shot):
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        profile = tempfile.mkdtemp()
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1200,800"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}
        session = call(base, "POST", "/session", caps)["sessionId"]
        s = f"/session/{session}"
        call(base, "POST", s + "/url", {"url": "file://" + page})
        visible = "const e = document.querySelector('section.on'); return e.dataset.slide + '/' + e.dataset.step;"
        before = call(base, "POST", s + "/execute/sync", {"script": visible, "args": []})
        right = "\ue014"
        call(base, "POST", s + "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [{"type": "keyDown", "value": right}, {"type": "keyUp", "value": right}]}]})
        after = call(base, "POST", s + "/execute/sync", {"script": visible, "args": []})
        pictures = "return [...document.querySelectorAll('section.on .pic')].map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });"
        rects = call(base, "POST", s + "/execute/sync", {"script": pictures, "args": []})
        # Select the visible slide's text as a reader copying it would, then click: the click
        # ends a selection, so it must not advance.
        select = ("const r = document.createRange(); r.selectNodeContents(document.querySelector('section.on'));"
                  "const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r); return sel.toString();")
        copied = call(base, "POST", s + "/execute/sync", {"script": select, "args": []})
        call(base, "POST", s + "/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
              "actions": [{"type": "pointerMove", "origin": "viewport", "x": 600, "y": 400},
                          {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
        after_click = call(base, "POST", s + "/execute/sync", {"script": visible, "args": []})
        png = base64.b64decode(call(base, "GET", s + "/screenshot"))
        with open(shot, "wb") as f:
            f.write(png)
        call(base, "DELETE", s)
        print(json.dumps({"before": before, "after": after, "pictures": rects, "screenshot_bytes": len(png),
                          "copied": copied, "after_click": after_click}))
    finally:
        driver.kill()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
