#!/bin/bash
# Stub rke2-killall.sh of the drill restore's sandbox: records the call (every container of the server stops).
echo "rke2-killall.sh" >>"$T/calls"
