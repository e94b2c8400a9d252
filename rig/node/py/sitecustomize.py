# Kuray local node: longer Ray startup waits for busy development machines.
#
# Ray 2.58 gives a starting node 30 s (hard-coded) for its raylet to register with GCS, and the Ray
# client server 30 s to find its node. Starting several Ray nodes on a 2-core machine that is also
# building and testing exceeds that, the node aborts, and the pod crash-loops. This file is on the
# PYTHONPATH of Ray containers on the local node only (never in a real image); it touches nothing
# unless the process is `ray start` or the Ray client server, and then only waits longer.
import sys

_argv = " ".join(getattr(sys, "orig_argv", sys.argv))
_WAIT_S = 120.0


def _patch():
    import time

    import ray._private.services as services

    if "ray.util.client.server" in _argv:
        services.get_node_with_retry.__defaults__ = (_WAIT_S, 1)
        return
    original = services.get_node

    def get_node(gcs_address, node_id):
        deadline = time.monotonic() + _WAIT_S
        while True:
            try:
                return original(gcs_address, node_id)
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    services.get_node = get_node


if "ray.util.client.server" in _argv or ("bin/ray" in _argv and " start" in _argv):
    try:
        _patch()
    except Exception:  # never break the process over a tuning patch
        pass
