"""
The comfy-chaos driver protocol, the Python side (schema: src/protocol/driver.ts).

The harness writes commands on stdin and reads events on stdout, one JSON object per line:
  commands: {"type":"submit","id","prompt","window"?}  {"type":"cancel","id"}  {"type":"shutdown"}
  events:   ready, submitted, progress, completed, failed, log
Environment: COMFY_URL (one base URL), COMFY_URLS (every server, comma-separated: a pool, for drivers
that declare "servers" in ready), COMFY_CHAOS_SEED,
COMFY_CHAOS_HINTS (JSON timing hints of the scenario, e.g. {"healthTimeoutMs": 2000}).

Only the standard library: stdout is the protocol, so nothing else may print there.
"""

import json
import os
import sys
import threading

_stdout_lock = threading.Lock()


def emit(event_type, **fields):
    """Writes one event line. Thread-safe: whole lines, never interleaved."""
    line = json.dumps({"type": event_type, **{k: v for k, v in fields.items() if v is not None}})
    with _stdout_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def log(message):
    emit("log", message=message)


def comfy_urls():
    """The ComfyUI base URLs, without trailing slashes: COMFY_URLS (every server of the run,
    comma-separated) or else COMFY_URL (always one); exits 2 when neither is set."""
    raw = os.environ.get("COMFY_URLS") or os.environ.get("COMFY_URL", "")
    urls = [u.strip().rstrip("/") for u in raw.split(",") if u.strip()]
    if not urls:
        sys.stderr.write("COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188\n")
        sys.exit(2)
    return urls


def hints():
    """The scenario's timing hints (COMFY_CHAOS_HINTS), or {} when absent or not JSON."""
    try:
        value = json.loads(os.environ.get("COMFY_CHAOS_HINTS") or "{}")
        return value if isinstance(value, dict) else {}
    except ValueError:
        return {}


def commands():
    """Yields each command read from stdin (lines that are not JSON objects are skipped); ends at EOF."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command = json.loads(line)
        except ValueError:
            continue
        if isinstance(command, dict):
            yield command
