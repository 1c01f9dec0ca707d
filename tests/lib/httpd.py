#!/usr/bin/env python3
"""httpd.py: a small HTTP server for gild's fetch tests (stdlib only).

Serves --root on 127.0.0.1 on a free port, writes the port to --port-file
once it listens, and logs one line per request to --log:
    GET /path range=bytes=N-

The first path component switches behaviour, so one server covers every
case of a test script:
    /404/...          answer 404
    /redirect/PATH    302 to /PATH
    /loop/PATH        302 to itself (too many redirects)
    /truncate/PATH    without a Range header: announce the full length,
                      send half, close; with one: honour it (206)
    /slow/PATH        sleep --slow seconds before answering
    /norange/PATH     ignore Range headers (always 200 with everything)
    /cutnorange/PATH  ignore Range headers; the first request of a path
                      is cut after half the file, later ones get it all
    /cutalways/PATH   ignore Range headers; every answer is cut after half
    /trickle/PATH     send the file in 8 parts, 0.3 s apart
    /drip/PATH        send the file (Range honoured) one byte every 0.5 s
    /long/PATH        send the file, then as much again (a body longer
                      than the Manifest says)
    /PATH             the file (Range honoured)
"""
import argparse
import http.server
import os
import re
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self):
        with open(self.server.log_path, "a") as f:
            rng = self.headers.get("Range", "")
            f.write("GET %s%s\n" % (self.path, " range=" + rng if rng else ""))

    def send_plain(self, code, text="", headers=()):
        body = text.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.log_request_line()
        parts = self.path.lstrip("/").split("/", 1)
        mode, rest = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        if mode == "404":
            return self.send_plain(404, "not found\n")
        if mode == "redirect":
            return self.send_plain(302, "", [("Location", "/" + rest)])
        if mode == "loop":
            return self.send_plain(302, "", [("Location", self.path)])
        if mode == "slow":
            time.sleep(self.server.slow)
        if mode not in ("truncate", "slow", "norange", "cutnorange", "cutalways",
                        "trickle", "drip", "long"):
            mode, rest = "", self.path.lstrip("/")
        self.serve_file(mode, rest)

    def read_file(self, rel):
        path = os.path.join(self.server.root, rel)
        if ".." in rel.split("/") or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def serve_file(self, mode, rel):
        data = self.read_file(rel)
        if data is None:
            return self.send_plain(404, "not found\n")
        m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        if mode == "drip":
            return self.drip(data, int(m.group(1)) if m else 0)
        if m and mode not in ("norange", "cutnorange", "cutalways"):
            return self.send_range(data, int(m.group(1)))
        self.send_response(200)
        if mode != "long":
            self.send_header("Content-Length", str(len(data)))
        else:
            self.close_connection = True
        self.end_headers()
        if mode == "cutalways" or (mode == "cutnorange"
                                   and rel not in self.server.cut):
            self.server.cut.add(rel)
            mode = "truncate"
        if mode == "truncate":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "long":
            self.wfile.write(data)
            self.wfile.write(data)
            return
        if mode == "trickle":
            step = (len(data) + 7) // 8
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(0.3)
            return
        self.wfile.write(data)

    def drip(self, data, start):
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d"
                             % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        for i in range(start, len(data)):
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(0.5)

    def send_range(self, data, start):
        if start >= len(data):
            return self.send_plain(
                416, "", [("Content-Range", "bytes */%d" % len(data))])
        self.send_response(206)
        self.send_header("Content-Range",
                         "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--slow", type=float, default=5.0)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.root, srv.log_path, srv.slow = a.root, a.log, a.slow
    srv.cut = set()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
