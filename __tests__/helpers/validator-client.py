"""Sends one request (stdin) to validator-server.py's socket (argv[1]) and prints the answer.

Run with -I -S: it needs nothing but the standard library, and starts in a few
milliseconds. Waits for a server still starting (its socket not yet bound).
"""

import socket
import sys
import time

request = sys.stdin.buffer.read()
deadline = time.monotonic() + 20
while True:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(sys.argv[1])
        break
    except (FileNotFoundError, ConnectionRefusedError):
        client.close()
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
client.sendall(request)
client.shutdown(socket.SHUT_WR)
answer = b""
while chunk := client.recv(65536):
    answer += chunk
sys.stdout.buffer.write(answer)
