"""The Python validators (cloud-init, yamllint) kept running for one test run.

Each `cloud-init schema` or `yamllint` command starts a Python interpreter and
imports its package, 0.1-0.3 s before it reads a byte; the test files run
dozens. This process imports both once and runs their own command-line entry
points (the functions the installed commands call, with the same arguments)
for each request, so a check here is the check the command makes.

Usage: validator-server.py SOCKET. global-setup.js starts it, global-teardown.js
stops it; it also exits when its parent does. A request is one JSON object
{"tool": "cloud-init" | "yamllint", "args": [...]} sent on a connection to the
Unix socket, the writing side then shut; the answer is {"status", "stdout",
"stderr"}, or {"unavailable": reason} for a tool this interpreter cannot import.
"""

import contextlib
import io
import json
import os
import signal
import socket
import sys

SOCKET = sys.argv[1]
PARENT = os.getppid()

# Listening before the slow imports: a client that connects meanwhile waits in the backlog.
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(SOCKET)
server.listen(16)
server.settimeout(1.0)

TOOLS = {}
MISSING = {}
try:
    from cloudinit.cmd import main as cloud_init_main

    TOOLS["cloud-init"] = lambda args: cloud_init_main.main(["cloud-init", *args])
except ImportError as error:
    MISSING["cloud-init"] = str(error)
try:
    from yamllint import cli as yamllint_cli

    TOOLS["yamllint"] = yamllint_cli.run
except ImportError as error:
    MISSING["yamllint"] = str(error)


def exit_status(code):
    """What the interpreter would exit with after SystemExit(code) (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run(tool, args):
    if tool not in TOOLS:
        return {"unavailable": MISSING.get(tool, f"no such tool: {tool}")}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = exit_status(TOOLS[tool](args))
        except SystemExit as done:
            status = exit_status(done.code)
    # cloud-init's main installs its own SIGTERM/SIGINT handlers (they write to /dev/console): the teardown's
    # SIGTERM must simply end this process.
    for handled in (signal.SIGTERM, signal.SIGINT, signal.SIGABRT):
        signal.signal(handled, signal.SIG_DFL)
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


def serve(connection):
    with connection:
        connection.settimeout(30.0)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
        request = json.loads(data)
        try:
            answer = run(request["tool"], request["args"])
        except Exception as error:  # a crash of the tool itself is an answer, not the end of the server
            answer = {"status": 70, "stdout": "", "stderr": f"{type(error).__name__}: {error}\n"}
        connection.sendall(json.dumps(answer).encode())


while os.getppid() == PARENT:
    try:
        client, _ = server.accept()
    except socket.timeout:
        continue
    try:
        serve(client)
    except (OSError, ValueError):
        pass  # the client went away or sent garbage: it sees no answer and reports that
