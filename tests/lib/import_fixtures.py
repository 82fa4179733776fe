"""import_fixtures - what the import tests share: a loopback HTTP server
that serves images to the importer (Images), and the Medium fixture with
its CDN's address swapped for that server's (medium_copy)."""
import http.server
import os
import shutil
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEDIUM = os.path.join(ROOT, "tests", "data", "import", "medium")
CDN = "https://cdn-images-1.medium.com"


class Images:
    """A loopback HTTP server answering the paths in .files, 404 otherwise."""

    def __init__(self):
        self.files = {}
        self.hits = []
        images = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                images.hits.append(self.path)
                body = images.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def medium_copy(tmp_path, base):
    """The Medium fixture with its CDN's address swapped for base."""
    d = tmp_path / "medium-export"
    shutil.copytree(MEDIUM, d)
    for f in (d / "posts").iterdir():
        f.write_text(f.read_text().replace(CDN, base))
    return d
