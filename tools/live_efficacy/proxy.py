"""A tiny forwarding HTTP proxy that connects to the server from a loopback address of its
own, so a browser (which cannot choose its local address) can arrive from 127.x.y.z.

Chromium, started with `--proxy-server=http://127.0.0.1:PORT --proxy-bypass-list=<-loopback>`,
sends `GET http://host:port/path HTTP/1.1` with a `Proxy-Connection` header; the proxy
turns the target back into `/path`, renames `Proxy-Connection` to `Connection` in place
and sets it to `close` (header names and their order stay as the browser sent them), sends
the request from its source address, and streams the answer back. One request per
connection: simple, and browsers reconnect freely. Plain HTTP only (no CONNECT).

    python3 -m live_efficacy.proxy --listen 127.0.0.1:0 --source 127.0.41.1 --port-file F
"""
from __future__ import annotations

import argparse
import pathlib
import socket
import socketserver
import threading
from urllib.parse import urlsplit


class Handler(socketserver.BaseRequestHandler):
    source = "127.0.0.1"

    def handle(self):
        client = self.request
        client.settimeout(120)
        try:
            head, rest = self._read_head(client)
            if head is None:
                return
            lines = head.split(b"\r\n")
            method, target, version = lines[0].split(b" ", 2)
            if method == b"CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            url = urlsplit(target.decode("latin-1"))
            host, port = url.hostname, url.port or 80
            path = (url.path or "/") + (("?" + url.query) if url.query else "")
            headers, length = [], 0
            for line in lines[1:]:
                if not line:
                    continue
                name, _, value = line.partition(b":")
                lname = name.strip().lower()
                if lname == b"proxy-connection":
                    headers.append(b"Connection: close")
                    continue
                if lname == b"connection":
                    headers.append(name + b": close")
                    continue
                if lname == b"content-length":
                    length = int(value.strip() or 0)
                headers.append(line)
            body = rest
            while len(body) < length:
                chunk = client.recv(65536)
                if not chunk:
                    break
                body += chunk
            request = b" ".join([method, path.encode("latin-1"), version]) + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body
            upstream = socket.create_connection((host, port), timeout=120, source_address=(self.source, 0))
            try:
                upstream.sendall(request)
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    client.sendall(chunk)
            finally:
                upstream.close()
        except (OSError, ValueError):
            pass

    @staticmethod
    def _read_head(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None, b""
            data += chunk
            if len(data) > 1 << 20:
                return None, b""
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(listen_host: str, source: str) -> tuple[Server, int]:
    """Start a proxy in a background thread; returns it and its port."""
    handler = type("BoundHandler", (Handler,), {"source": source})
    server = Server((listen_host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--source", required=True)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    handler = type("BoundHandler", (Handler,), {"source": args.source})
    server = Server((host, int(port)), handler)
    if args.port_file:
        pathlib.Path(args.port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
