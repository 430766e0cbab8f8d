"""A LibreOffice kept warm: converts DOCX to PDF on request, one document at a time.

Run by pipeline/output/convert.py with a Python that has LibreOffice's `uno` module (Debian's
python3-uno: /usr/bin/python3), not the project's venv, so it imports nothing of ours.
It starts its own headless soffice on a private pipe and profile, then reads one JSON
request per line on stdin ({"in": docx, "out": pdf}, and "last_page": true to export only the
last page) and answers one JSON line on stdout ({"ok": true, "pages": page count}).
A PDF is written beside its final name and renamed into place, so it is whole or absent.
If soffice dies, the worker exits: the pool starts a new one and retries the document.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from urllib.parse import unquote, urlparse


# LibreOffice keeps the text layouts and glyphs of every document it has exported, up to
# 100,000 text runs: an instance grew by ~1 MB a document, to ~600 MB after 300 documents.
# Capped, it stays near 120 MB of its own memory, with no loss of speed (measured).
SETTINGS = {
    ("/org.openoffice.Office.Common/Cache/Font", "TextRunsCacheSize"): 1000,
    ("/org.openoffice.Office.Common/Cache/Font", "GlyphsCacheSize"): 2_000_000,
}


def set_profile(profile_url: str) -> None:
    """Write SETTINGS into the profile's registrymodifications.xcu, read when soffice starts."""
    user = os.path.join(unquote(urlparse(profile_url).path), "user")
    path = os.path.join(user, "registrymodifications.xcu")
    os.makedirs(user, exist_ok=True)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        text = ""
    if "</oor:items>" not in text:
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                "</oor:items>\n")
    items = ""
    for (node, name), value in SETTINGS.items():
        text = re.sub(rf'<item oor:path="{re.escape(node)}"><prop oor:name="{name}"[^>]*>.*?</item>\n?', "", text)
        items += f'<item oor:path="{node}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
    with open(path + ".new", "w", encoding="utf-8") as fh:
        fh.write(text.replace("</oor:items>", items + "</oor:items>"))
    os.replace(path + ".new", path)


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    set_profile(profile)
    import uno
    from com.sun.star.beans import PropertyValue

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    pipe = f"make_notices_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile}", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    # A first start with a new profile takes a few seconds, and soffice may restart itself
    # once to finish the profile (the first process then exits 0): keep trying the pipe.
    for _ in range(1200):
        if proc.poll() is not None and proc.returncode != 0:
            print(json.dumps({"ready": False, "error": f"soffice exited with {proc.returncode}"}), flush=True)
            return 1
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.1)
    if ctx is None:
        proc.kill()
        print(json.dumps({"ready": False, "error": "soffice did not answer"}), flush=True)
        return 1
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    print(json.dumps({"ready": True, "pid": proc.pid}), flush=True)
    code = 0
    for line in sys.stdin:
        request = json.loads(line)
        src, dest = request["in"], request["out"]
        part = dest + ".part"
        try:
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0,
                                               (prop("Hidden", True), prop("ReadOnly", True)))
            if doc is None:
                raise RuntimeError("LibreOffice could not open the file")
            try:
                options = (prop("FilterName", "writer_pdf_Export"),)
                pages = doc.getCurrentController().getPropertyValue("PageCount")
                if request.get("last_page"):  # a first look, to measure: ~40 ms instead of ~90
                    options += (prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue",
                                                           (prop("PageRange", str(pages)),))),)
                uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(part), options))
            finally:
                doc.close(True)
            os.replace(part, dest)
            print(json.dumps({"ok": True, "pages": pages}), flush=True)
        except Exception as exc:  # soffice gone or the document refused
            if os.path.exists(part):
                os.unlink(part)
            alive = proc.poll() is None
            print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}", "alive": alive}), flush=True)
            if not alive:
                code = 2
                break
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
