"""
The driver protocol (src/protocol/driver.ts) for the drivers of clients/third-party: Python
libraries we did not write, installed unmodified from PyPI (requirements.txt beside this file).

What differs from clients/python/driver_protocol.py: these libraries print() to stdout, which is
the protocol. take_stdout() keeps the real stdout for the protocol and turns whatever the library
prints into `log` events (recorded in the trace), so a library's chatter is neither junk on the
protocol nor lost. Call it before importing the library.

Standard library only.
"""

import json
import os
import sys
import threading

_protocol = sys.stdout
_lock = threading.Lock()


def emit(event_type, **fields):
    """Writes one event line on the protocol's stdout. Thread-safe: whole lines, never interleaved."""
    line = json.dumps({"type": event_type, **{k: v for k, v in fields.items() if v is not None}}, default=str)
    with _lock:
        _protocol.write(line + "\n")
        _protocol.flush()


class _PrintsAsLogs:
    """A file for sys.stdout: each whole line printed becomes a `log` event (one buffer per thread)."""

    def __init__(self, label):
        self._label = label
        self._local = threading.local()

    def write(self, text):
        buffered = getattr(self._local, "text", "") + str(text)
        *whole, rest = buffered.split("\n")
        self._local.text = rest
        for line in whole:
            if line.strip():
                emit("log", message="{}: {}".format(self._label, line))
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def take_stdout(label):
    """From now on print() becomes `log` events labelled `label`; only emit() writes the protocol."""
    sys.stdout = _PrintsAsLogs(label)


def comfy_url():
    """The ComfyUI base URL (the first of COMFY_URL, without a trailing slash); exits 2 when unset."""
    urls = [u.strip().rstrip("/") for u in os.environ.get("COMFY_URL", "").split(",") if u.strip()]
    if not urls:
        sys.stderr.write("COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188\n")
        sys.exit(2)
    return urls[0]


def hint_seconds(name, default):
    """A timing hint of the scenario (COMFY_CHAOS_HINTS, in ms) in seconds, or `default` when absent."""
    try:
        value = json.loads(os.environ.get("COMFY_CHAOS_HINTS") or "{}").get(name)
    except (ValueError, AttributeError):
        return default
    return value / 1000.0 if isinstance(value, (int, float)) and value > 0 else default


def commands():
    """Yields each command read from stdin (lines that are not JSON objects are skipped); ends at EOF."""
    for line in sys.stdin:
        try:
            command = json.loads(line)
        except ValueError:
            continue
        if isinstance(command, dict):
            yield command


def describe(error):
    """`ClassName: message` of an exception, for a `failed` event's `error`."""
    return "{}: {}".format(type(error).__name__, error)
