"""Socket.IO push relay for ComfyUI (Flask-SocketIO).

Browsers connect with Socket.IO, emit ``task_created`` with a ComfyUI API prompt and get
``{"task_id", "prompt_id"}`` back as the ack. The server keeps ``active_tasks`` and
broadcasts ``task_created``, ``task_progress``, ``task_completed`` and ``task_failed`` to every
connected client; a client that (re)connects gets ``active_tasks`` so it can catch up.

One WebSocket to ComfyUI (``/ws?clientId=<CLIENT_ID>``) is opened at start-up; every prompt is
queued with that client id, so all its events arrive on that socket.

Environment: ``COMFY_URL`` (ComfyUI base URL) and ``PORT`` (port on 127.0.0.1), both required.
"""

import json
import logging
import os
import sys
import threading
import uuid
from urllib.parse import urlencode, urlparse

import requests
import websocket
from flask import Flask, jsonify
from flask_socketio import SocketIO, emit

log = logging.getLogger("relay")


def require_env(name):
    value = os.environ.get(name)
    if not value:
        print(f"flask-socketio relay: environment variable {name} is required", file=sys.stderr)
        sys.exit(2)
    return value


COMFY_URL = require_env("COMFY_URL").rstrip("/")
PORT = require_env("PORT")
if not PORT.isdigit():
    print(f"flask-socketio relay: PORT must be a port number, got {PORT!r}", file=sys.stderr)
    sys.exit(2)
CLIENT_ID = str(uuid.uuid4())

app = Flask(__name__)
socketio = SocketIO(app, async_mode="threading", cors_allowed_origins="*")

# task_id -> {"task_id", "prompt_id", "user_id", "status", "progress", "images"?}
active_tasks = {}


def find_task(prompt_id):
    for task in active_tasks.values():
        if task["prompt_id"] == prompt_id:
            return task
    return None


def view_url(image):
    query = urlencode(
        {
            "filename": image.get("filename", ""),
            "subfolder": image.get("subfolder", ""),
            "type": image.get("type", "output"),
        }
    )
    return f"{COMFY_URL}/view?{query}"


def task_ref(task):
    return {"task_id": task["task_id"], "prompt_id": task["prompt_id"], "user_id": task["user_id"]}


# --- HTTP --------------------------------------------------------------------------------------


@app.get("/health")
def health():
    return jsonify(status="ok")


# --- Socket.IO ---------------------------------------------------------------------------------


@socketio.on("connect")
def on_connect():
    emit("active_tasks", list(active_tasks.values()))


@socketio.on("task_created")
def on_task_created(data):
    user_id = data.get("user_id")
    prompt = data.get("prompt")
    try:
        response = requests.post(
            f"{COMFY_URL}/prompt",
            json={"prompt": prompt, "client_id": CLIENT_ID},
            timeout=10,
        )
        response.raise_for_status()
        prompt_id = response.json()["prompt_id"]
    except Exception as exc:
        log.warning("could not queue prompt for user %s: %s", user_id, exc)
        return {"error": str(exc)}

    task_id = str(uuid.uuid4())
    task = {
        "task_id": task_id,
        "prompt_id": prompt_id,
        "user_id": user_id,
        "status": "queued",
        "progress": 0,
    }
    active_tasks[task_id] = task
    emit("task_created", task, broadcast=True)
    log.info("task %s queued as prompt %s for user %s", task_id, prompt_id, user_id)
    return {"task_id": task_id, "prompt_id": prompt_id}


# --- ComfyUI upstream --------------------------------------------------------------------------


def handle_comfy_message(message):
    kind = message.get("type")
    data = message.get("data") or {}
    prompt_id = data.get("prompt_id")
    if not prompt_id:
        return
    task = find_task(prompt_id)
    if task is None:
        return

    if kind == "progress":
        value, maximum = data.get("value", 0), data.get("max", 1)
        task["status"] = "running"
        task["progress"] = round(100 * value / maximum) if maximum else 0
        socketio.emit("task_progress", {**task_ref(task), "value": value, "max": maximum})
    elif kind == "executed":
        output = data.get("output") or {}
        task.setdefault("images", []).extend(view_url(image) for image in output.get("images", []))
    elif kind == "execution_success":
        active_tasks.pop(task["task_id"], None)
        socketio.emit("task_completed", {**task_ref(task), "images": task.get("images", [])})
        log.info("task %s completed", task["task_id"])
    elif kind == "execution_error":
        active_tasks.pop(task["task_id"], None)
        socketio.emit("task_failed", {**task_ref(task), "error": data.get("exception_message", "")})
        log.info("task %s failed", task["task_id"])
    elif kind == "execution_interrupted":
        active_tasks.pop(task["task_id"], None)
        socketio.emit("task_failed", {**task_ref(task), "error": "interrupted"})
        log.info("task %s interrupted", task["task_id"])


def on_ws_message(ws, raw):
    if isinstance(raw, bytes):
        log.debug("ignoring binary frame from ComfyUI (%d bytes)", len(raw))
        return
    try:
        message = json.loads(raw)
    except ValueError:
        log.warning("ignoring unparsable message from ComfyUI: %.200s", raw)
        return
    if not isinstance(message, dict):
        log.warning("ignoring unexpected message from ComfyUI: %.200s", raw)
        return
    handle_comfy_message(message)


def on_ws_open(ws):
    log.info("connected to ComfyUI websocket as %s", CLIENT_ID)


def on_ws_error(ws, error):
    log.error("ComfyUI websocket error: %s", error)


def on_ws_close(ws, status_code, reason):
    log.warning("ComfyUI websocket closed (%s %s)", status_code, reason)


def comfy_ws_url():
    url = urlparse(COMFY_URL)
    scheme = "wss" if url.scheme == "https" else "ws"
    return f"{scheme}://{url.netloc}/ws?clientId={CLIENT_ID}"


def listen_to_comfy():
    ws = websocket.WebSocketApp(
        comfy_ws_url(),
        on_open=on_ws_open,
        on_message=on_ws_message,
        on_error=on_ws_error,
        on_close=on_ws_close,
    )
    ws.run_forever()


def main():
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    threading.Thread(target=listen_to_comfy, name="comfy-ws", daemon=True).start()
    log.info("listening on 127.0.0.1:%s, ComfyUI at %s", PORT, COMFY_URL)
    socketio.run(app, host="127.0.0.1", port=int(PORT), allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
