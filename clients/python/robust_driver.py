"""
A Python driver that does it right: the same library as the naive one (websocket-client from
PyPI), the same driver protocol (driver_protocol.py), and every lesson of comfyui-protocol.md
sections 5 and 6 applied. It is the "after" to naive_driver.py's "before"; copy from this one.

What it does, and the field report behind each rule:
- Reconnects for ever with backoff and jitter (100 ms doubling to 500 ms while a job is pending,
  1 s to `reconnectCapMs` otherwise), always with the SAME clientId, so ComfyUI keeps routing the
  rest of a running prompt to the new socket (aws-solutions-library-samples/guidance-for-
  asynchronous-inference-with-stable-diffusion-on-aws#50, aws-samples/comfyui-on-eks#37).
- Resyncs every pending job after every (re)connect and on every `status` frame: GET
  /history/{id}, then GET /queue. ComfyUI replays nothing on reconnect (Comfy-Org/ComfyUI#7033),
  so a job that ended while the socket was down is found in history (roadmaus/ComfyUI-Continuity#24,
  SaladTechnologies/comfyui-api#186); a bare `status` can be the only end signal (#8395, #14495).
- Polls over HTTP while the socket is down, or open but silent for `healthTimeoutMs` while a job
  is pending, and checks any job nothing was heard of for QUIET_CHECK_S (single frames can be
  lost on a live socket); a silent socket is also dropped and reopened: deaf sockets (Comfy-Org/ComfyUI#16010),
  a stalled publish loop (#15240), only the initial status (#3980, #9393), recv() hanging (#3128).
- Lost detection: a job absent from both /queue and /history three times, a second apart, is
  reported `lost`, never completed (restarts lose queue and history: #1977, #2844, #13512) ...
  unless its end was already seen on the socket: history can come late (#11540), so that job
  waits for history (then falls back to what the socket said).
- Completion comes from /history (outputs of cached nodes too), and its status decides between
  completed, failed (`error`) and `interrupted` (kijai/ComfyUI-WanVideoWrapper#955).
- Exactly once: a job is reported once, whatever mix of socket frames and polls saw its end. A
  POST /prompt that failed or timed out is retried only after /queue and /history both say the
  prompt is not there (the client makes the prompt_id), so a lost reply never runs a job twice.
- Tolerant parsing: a BOM, bytes before the `{`, text heartbeats, truncated or non-JSON frames,
  unknown types and extra fields are skipped; binary frames are ignored (#2435, #5674).
- Windows: each `window` of the submit command gets its own clientId and socket, and a server of
  the pool (COMFY_URL with several URLs, round robin). While a window has a job pending it stays
  locked to that server (Comfy-Org/ComfyUI#8154, #6604: socket, POST and history reads go to the
  same server); a window with nothing pending whose socket is down moves to the next server for
  its next job, so a dead server does not take the window with it.
- No hang: a job times out after `jobTimeoutMs`, and is reported `disconnected` when its server
  has not answered for UNREACHABLE_S.

Timing hints come from COMFY_CHAOS_HINTS (milliseconds): healthTimeoutMs, pollIntervalMs,
reconnectCapMs, jobTimeoutMs, requestTimeoutMs.

Run: COMFY_URL=http://127.0.0.1:8188 python clients/python/robust_driver.py
"""

import json
import os
import queue
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import websocket  # websocket-client

sys.dont_write_bytecode = True  # no __pycache__ next to the drivers when driver_protocol is imported

from driver_protocol import commands, comfy_urls, emit, hints, log

HINTS = hints()


def seconds(name, default_ms):
    value = HINTS.get(name, default_ms)
    return float(value if isinstance(value, (int, float)) and value > 0 else default_ms) / 1000.0


HEALTH_TIMEOUT_S = seconds("healthTimeoutMs", 10_000)
POLL_INTERVAL_S = seconds("pollIntervalMs", 1_000)
RECONNECT_CAP_S = seconds("reconnectCapMs", 15_000)
JOB_TIMEOUT_S = seconds("jobTimeoutMs", 3_600_000)
REQUEST_TIMEOUT_S = seconds("requestTimeoutMs", 10_000)
CONNECT_TIMEOUT_S = 5.0
RECONNECT_PENDING = (0.1, 0.5)  # base, cap: seconds between attempts while a job is pending
RECONNECT_IDLE_BASE_S = 1.0
SOCKET_READY_TIMEOUT_S = 5.0  # a submit waits this long for its window's first socket
HISTORY_RETRY_S = 0.25  # re-read history this often once the end was seen (#11540)
HISTORY_WAIT_S = 30.0  # then trust what the socket said
QUIET_CHECK_S = 3.0  # a pending job nobody spoke of for this long is checked over HTTP (its end frames may be lost)
LOST_CONFIRMATIONS = 3
LOST_RECHECK_S = 1.0
SUBMIT_RETRIES = 3
SUBMIT_RETRY_DELAY_S = 0.5
UNREACHABLE_S = 720.0

URLS = comfy_urls()
lock = threading.RLock()
stopping = threading.Event()
windows = {}  # window name -> Window
jobs = {}  # harness job id -> Job


class Job:
    def __init__(self, job_id, window, prompt):
        self.id = job_id
        self.window = window
        self.prompt = prompt
        # The id it asks for. ComfyUI before 2025-07-14 (260a5ca5) makes its own and says which in
        # the reply, so prompt_id follows the reply; the submit id, in extra_data, finds the prompt
        # after a lost reply on such a server.
        self.submit_id = str(uuid.uuid4())
        self.prompt_id = self.submit_id
        self.acked = threading.Event()
        self.done = False
        self.cancelled = False
        self.created = time.monotonic()
        self.last_contact = self.created
        self.terminal = None  # (type, data, at): the end as the socket told it
        self.absent = 0
        self.absent_at = 0.0
        self.base = None  # the server it was posted to (its window's, at submit time)
        self.ws_outputs = {}
        self.progress = {}  # node -> (value, max)


# --- HTTP ---------------------------------------------------------------------------------------


def http(method, url, body=None, timeout=REQUEST_TIMEOUT_S):
    """(status, parsed JSON or None); raises on network errors and timeouts."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"content-type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw.decode("utf-8", "replace").lstrip("\ufeff")) if raw else None
    except ValueError:
        return status, None


def where_is(base, prompt_id):
    """('history', entry), ('queue', None), ('absent', None), or (None, reason) when the server cannot tell."""
    try:
        status, history = http("GET", "{}/history/{}".format(base, prompt_id))
        if status != 200 or not isinstance(history, dict):
            return None, "GET /history answered {}".format(status)
        entry = history.get(prompt_id)
        if isinstance(entry, dict):
            return "history", entry
        status, queue = http("GET", "{}/queue".format(base))
        if status != 200 or not isinstance(queue, dict):
            return None, "GET /queue answered {}".format(status)
        for key in ("queue_running", "queue_pending"):
            for item in queue.get(key) or []:
                if isinstance(item, list) and len(item) > 1 and item[1] == prompt_id:
                    return "queue", None
        return "absent", None
    except Exception as error:  # network errors, timeouts, resets: the server could not tell
        return None, "{}: {}".format(type(error).__name__, error)


SUBMIT_ID_KEY = "robust_driver_submit_id"


def find_by_submit_id(base, submit_id):
    """The prompt_id the server gave the prompt posted with this submit id, or None (not found, or no answer)."""
    try:
        status, queue = http("GET", "{}/queue".format(base))
        if status == 200 and isinstance(queue, dict):
            for key in ("queue_running", "queue_pending"):
                for item in queue.get(key) or []:
                    if isinstance(item, list) and len(item) > 3 and isinstance(item[3], dict) and item[3].get(SUBMIT_ID_KEY) == submit_id:
                        return item[1]
        status, history = http("GET", "{}/history?max_items=200".format(base))
        if status == 200 and isinstance(history, dict):
            for prompt_id, entry in history.items():
                prompt = entry.get("prompt") if isinstance(entry, dict) else None
                if isinstance(prompt, list) and len(prompt) > 3 and isinstance(prompt[3], dict) and prompt[3].get(SUBMIT_ID_KEY) == submit_id:
                    return prompt_id
    except Exception:
        pass
    return None


# --- reporting, exactly once --------------------------------------------------------------------


def finish(job, event_type, **fields):
    with lock:
        if job.done:
            return
        job.done = True
    emit(event_type, id=job.id, prompt_id=job.prompt_id, **fields)


def finish_from_history(job, entry):
    status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
    if status.get("status_str") == "error":
        messages = [m for m in status.get("messages") or [] if isinstance(m, list) and len(m) == 2]
        ends = [m for m in messages if m[0] in ("execution_error", "execution_interrupted")]
        last = ends[-1] if ends else ["execution_error", {}]
        detail = last[1] if isinstance(last[1], dict) else {}
        if last[0] == "execution_interrupted":
            finish(job, "failed", reason="interrupted", error="interrupted at node {}".format(detail.get("node_id")))
        else:
            finish(job, "failed", reason="error", error=str(detail.get("exception_message") or "execution_error").strip())
        return
    outputs = entry.get("outputs")
    finish(job, "completed", outputs=outputs if isinstance(outputs, dict) else {})


def finish_from_socket(job):
    kind, data, _ = job.terminal
    if kind == "execution_error":
        finish(job, "failed", reason="error", error=str(data.get("exception_message") or "execution_error").strip())
    elif kind == "execution_interrupted":
        finish(job, "failed", reason="interrupted", error="interrupted (history never appeared)")
    else:
        emit("log", message="{}: history never appeared; outputs from the socket's executed frames".format(job.id))
        finish(job, "completed", outputs=dict(job.ws_outputs))


# --- one window: a clientId, a server, a socket, a checker ---------------------------------------


class Window:
    def __init__(self, name, base):
        self.name = name
        self.base = base
        self.client_id = str(uuid.uuid4())
        self.ws = None
        self.connected = threading.Event()
        self.connects = 0
        self.last_frame = time.monotonic()
        self.wake = threading.Event()  # cuts a reconnect backoff short
        self.check_now = threading.Event()  # asks the checker for a resync
        # One submitter per window, so prompts reach ComfyUI's FIFO queue in the order they were asked for.
        self.submissions = queue.Queue()
        threading.Thread(target=self.socket_loop, name="socket-" + name, daemon=True).start()
        threading.Thread(target=self.submit_loop, name="submit-" + name, daemon=True).start()
        threading.Thread(target=self.checker_loop, name="checker-" + name, daemon=True).start()

    def pending(self):
        with lock:
            return [j for j in jobs.values() if j.window is self and not j.done]

    def drop_socket(self, why):
        ws = self.ws
        if ws is not None and self.connected.is_set():
            log("{}: dropping the socket ({}); reconnecting".format(self.name, why))
            try:
                ws.sock.shutdown(2)  # recv() in the socket thread raises and the loop reconnects
            except Exception:
                pass

    def submit_loop(self):
        while True:
            submit(self.submissions.get())

    def relocate_if_idle_and_down(self, job):
        """Releases the server lock for `job` when no other job holds it and the socket is down."""
        with lock:
            others = [j for j in jobs.values() if j.window is self and not j.done and j is not job]
            if others or self.connects == 0 or self.connected.is_set() or len(URLS) < 2:
                return
            before = self.base
            self.base = URLS[(URLS.index(before) + 1) % len(URLS)]
        log("{}: nothing pending and no socket to {}; moving to {}".format(self.name, before, self.base))

    def socket_loop(self):
        attempt = 0
        while not stopping.is_set():
            base = self.base
            url = "{}/ws?clientId={}".format(base.replace("http", "ws", 1), self.client_id)
            try:
                ws = websocket.create_connection(url, timeout=CONNECT_TIMEOUT_S, skip_utf8_validation=True, enable_multithread=True)
            except Exception as error:
                attempt += 1
                busy = bool(self.pending())
                base, cap = RECONNECT_PENDING if busy else (RECONNECT_IDLE_BASE_S, RECONNECT_CAP_S)
                delay = min(cap, base * 2 ** min(attempt - 1, 16)) * random.uniform(0.8, 1.2)
                if attempt == 1 or attempt % 20 == 0:
                    log("{}: connect failed ({}: {}); attempt {}, next in {:.2f}s".format(self.name, type(error).__name__, error, attempt, delay))
                self.wake.wait(delay)
                self.wake.clear()
                continue
            if base != self.base:  # the window moved while this connect was under way
                ws.close(timeout=0.2)
                continue
            attempt = 0
            ws.settimeout(None)  # silence is judged by the checker, which drops the socket
            self.ws = ws
            self.connects += 1
            self.last_frame = time.monotonic()
            self.connected.set()
            if self.connects > 1:
                log("{}: reconnected as {} (connection {}); resyncing {} pending job(s)".format(self.name, self.client_id, self.connects, len(self.pending())))
            self.check_now.set()
            try:
                while not stopping.is_set():
                    opcode, data = ws.recv_data()
                    if opcode == websocket.ABNF.OPCODE_CLOSE:
                        log("{}: the server closed the socket".format(self.name))
                        break
                    self.last_frame = time.monotonic()
                    if opcode == websocket.ABNF.OPCODE_TEXT:
                        self.on_text(data if isinstance(data, str) else data.decode("utf-8", "replace"))
            except Exception as error:
                if not stopping.is_set():
                    log("{}: socket lost ({}: {})".format(self.name, type(error).__name__, error))
            finally:
                self.connected.clear()
                try:
                    ws.close(timeout=0.2)
                except Exception:
                    pass

    def on_text(self, text):
        message = parse_frame(text)
        if message is None:
            return
        kind, data = message
        if kind == "status":
            self.check_now.set()  # the frontend resyncs on every status too; a bare status may be the only end
            return
        prompt_id = data.get("prompt_id")
        with lock:
            job = next((j for j in jobs.values() if j.window is self and j.prompt_id == prompt_id and not j.done), None)
        if job is None:
            return  # another window's, a finished job's, or the bare executing replay (no prompt_id)
        job.absent = 0
        job.last_contact = time.monotonic()
        if kind == "progress":
            report_progress(job, data)
        elif kind == "executed" and isinstance(data.get("node"), str):
            job.ws_outputs[data["node"]] = data.get("output")
        elif kind in ("execution_success", "execution_error", "execution_interrupted") or (kind == "executing" and data.get("node") is None):
            # The most specific end wins: executing{null} follows the execution_* event.
            if job.terminal is None or job.terminal[0] == "executing":
                job.terminal = (kind, data, time.monotonic())
            self.check_now.set()

    def checker_loop(self):
        while not stopping.is_set():
            pending = [j for j in self.pending() if j.acked.is_set()]
            urgent = any(j.terminal or j.absent for j in pending)
            triggered = self.check_now.wait(HISTORY_RETRY_S if urgent else POLL_INTERVAL_S)
            self.check_now.clear()
            pending = [j for j in self.pending() if j.acked.is_set()]
            if not pending:
                continue
            now = time.monotonic()
            healthy = self.connected.is_set() and now - self.last_frame < HEALTH_TIMEOUT_S
            if self.connected.is_set() and not healthy:
                self.drop_socket("silent for {:.1f}s with a job pending".format(now - self.last_frame))
            for job in pending:
                if triggered or not healthy or job.terminal or job.absent or now - job.last_contact > QUIET_CHECK_S:
                    self.check(job, now)
                if not job.done and now - job.created > JOB_TIMEOUT_S:
                    finish(job, "failed", reason="timeout", error="no outcome after {:.0f}s".format(JOB_TIMEOUT_S))

    def check(self, job, now):
        where, entry = where_is(job.base, job.prompt_id)
        if where is None:
            if now - job.last_contact > UNREACHABLE_S:
                finish(job, "failed", reason="disconnected", error="the server has not answered for {:.0f}s ({})".format(UNREACHABLE_S, entry))
            return
        job.last_contact = now
        if where == "history":
            finish_from_history(job, entry)
        elif where == "queue":
            job.absent = 0
        elif job.terminal:
            if now - job.terminal[2] > HISTORY_WAIT_S:
                finish_from_socket(job)
        elif job.absent == 0 or now - job.absent_at >= LOST_RECHECK_S * 0.9:
            job.absent += 1
            job.absent_at = now
            if job.absent >= LOST_CONFIRMATIONS:
                if job.cancelled:
                    finish(job, "failed", reason="interrupted", error="cancelled: removed from the queue")
                else:
                    finish(job, "failed", reason="lost", error="in neither /queue nor /history {} times (the server restarted?)".format(job.absent))


def parse_frame(text):
    """(type, data) of a ComfyUI message, or None for anything else. Tolerates a BOM, bytes before
    the `{` and after the object; skips heartbeats, truncated and non-JSON frames."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(3):
        if start < 0:
            return None
        try:
            message, _ = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(message, dict) and isinstance(message.get("type"), str):
            data = message.get("data")
            return message["type"], data if isinstance(data, dict) else {}
        return None
    return None


def report_progress(job, data):
    value, top, node = data.get("value"), data.get("max"), data.get("node")
    if not isinstance(value, (int, float)) or not isinstance(top, (int, float)):
        return
    key = node if isinstance(node, str) else ""
    before = job.progress.get(key)
    if before and before[1] == top and value < before[0]:
        return  # a late or duplicated frame: progress never runs backwards
    job.progress[key] = (value, top)
    emit("progress", id=job.id, value=value, max=top, node=node if isinstance(node, str) else None)


# --- commands -----------------------------------------------------------------------------------


def window_for(name):
    with lock:
        if name not in windows:
            windows[name] = Window(name, URLS[len(windows) % len(URLS)])
        return windows[name]


def submit(job):
    w = job.window
    w.relocate_if_idle_and_down(job)
    w.last_frame = max(w.last_frame, time.monotonic())  # silence counts from when a job is pending
    w.wake.set()
    w.connected.wait(SOCKET_READY_TIMEOUT_S)  # events sent before the socket exists go nowhere
    job.base = w.base
    body = {"prompt": job.prompt, "client_id": w.client_id, "prompt_id": job.submit_id, "extra_data": {SUBMIT_ID_KEY: job.submit_id}}
    problem = None
    for attempt in range(SUBMIT_RETRIES + 1):
        if attempt:
            # Did the last attempt get through after all (a lost reply)? Ask until the server can tell.
            deadline = time.monotonic() + 60
            while True:
                where, _ = where_is(job.base, job.prompt_id)
                if where == "absent":  # a server that named the prompt itself: look for the submit id
                    found = find_by_submit_id(job.base, job.submit_id)
                    if found is not None:
                        job.prompt_id, where = found, "queue"
                if where is not None or time.monotonic() > deadline:
                    break
                time.sleep(POLL_INTERVAL_S)
            if where in ("history", "queue"):
                log("{}: POST /prompt failed ({}) but the prompt is on the server".format(job.id, problem))
                break
            time.sleep(SUBMIT_RETRY_DELAY_S * 2 ** (attempt - 1))
        try:
            status, answer = http("POST", job.base + "/prompt", body)
        except Exception as error:
            problem = "{}: {}".format(type(error).__name__, error)
            continue
        if status == 200:
            named = answer.get("prompt_id") if isinstance(answer, dict) else None
            if isinstance(named, str) and named:
                job.prompt_id = named  # the server's name for it (its own on ComfyUI before 2025-07-14)
            break
        error = answer.get("error") if isinstance(answer, dict) else None
        problem = "POST /prompt answered {}{}".format(status, ": " + json.dumps(error)[:300] if error else "")
        if status != 429 and status < 500:
            finish(job, "failed", reason="error", error=problem)  # a 400 will not get better
            return
    else:
        finish(job, "failed", reason="error", error="{} (after {} attempts)".format(problem, SUBMIT_RETRIES + 1))
        return
    emit("submitted", id=job.id, prompt_id=job.prompt_id)
    job.last_contact = time.monotonic()
    job.acked.set()
    w.check_now.set()  # its end may already have been seen on the socket


def cancel(job):
    job.cancelled = True
    if not job.acked.wait(30) or job.done:
        return
    base = job.base
    for attempt in range(5):
        try:
            deleted, _ = http("POST", base + "/queue", {"delete": [job.prompt_id]})
            # Interrupt only while it runs: a ComfyUI before 0.3.45 ignores the prompt_id of
            # /interrupt and stops whatever is running, which may be another job of anyone's.
            listed, queue = http("GET", base + "/queue")
            running = queue.get("queue_running", []) if listed == 200 and isinstance(queue, dict) else []
            interrupted = 200
            if any(isinstance(item, list) and len(item) > 1 and item[1] == job.prompt_id for item in running):
                interrupted, _ = http("POST", base + "/interrupt", {"prompt_id": job.prompt_id})
            if deleted == 200 and listed == 200 and interrupted == 200:
                break
        except Exception:
            pass
        time.sleep(SUBMIT_RETRY_DELAY_S * 2 ** attempt)
    job.window.check_now.set()


def main():
    # Any number of windows (a clientId and socket each), a pool of servers (COMFY_URLS), cancel.
    emit("ready", capabilities={"servers": 64, "windows": 1024, "cancel": True})
    for command in commands():
        kind = command.get("type")
        if kind == "submit" and isinstance(command.get("id"), str):
            job = Job(command["id"], window_for(command.get("window") or "main"), command.get("prompt"))
            with lock:
                jobs[job.id] = job
            job.window.submissions.put(job)
        elif kind == "cancel":
            job = jobs.get(command.get("id"))
            if job is not None:
                threading.Thread(target=cancel, args=(job,), daemon=True).start()
        elif kind == "shutdown":
            break
    stopping.set()
    for w in list(windows.values()):
        w.drop_socket("shutdown")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
