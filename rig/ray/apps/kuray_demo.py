"""Two small Ray Serve applications for Kuray's RayService tests, benchmark and samples.

Shipped in the repo (no network: Ray cannot fetch a working_dir here), reached through PYTHONPATH
(a repo path on the local node, or a ConfigMap mounted in a real cluster). Each answer says which
RayCluster served it and with which settings, so a test can see an in-place update (new `args`,
same cluster) and a blue/green upgrade (new cluster, new APP_COLOR from the pod template).

    applications:
      - name: greeter
        route_prefix: /greet
        import_path: kuray_demo:greeter
        args: {greeting: hello}
      - name: adder
        route_prefix: /add
        import_path: kuray_demo:adder
        args: {increment: 1}
"""

import os

from ray import serve
from starlette.requests import Request


def _whoami() -> dict:
    return {
        "cluster": os.environ.get("RAY_CLUSTER_NAME", ""),
        "color": os.environ.get("APP_COLOR", ""),
    }


@serve.deployment(ray_actor_options={"num_cpus": 0.1})
class Greeter:
    def __init__(self, greeting: str):
        self._greeting = greeting

    async def __call__(self, request: Request) -> dict:
        name = request.query_params.get("name", "world")
        return {"app": "greeter", "answer": f"{self._greeting} {name}", **_whoami()}


@serve.deployment(ray_actor_options={"num_cpus": 0.1})
class Adder:
    def __init__(self, increment: int):
        self._increment = increment

    async def __call__(self, request: Request) -> dict:
        x = int(request.query_params.get("x", "0"))
        return {"app": "adder", "answer": x + self._increment, **_whoami()}


def greeter(args: dict):
    """Application builder: `args.greeting` (default "hello")."""
    return Greeter.bind(str(args.get("greeting", "hello")))


def adder(args: dict):
    """Application builder: `args.increment` (default 1)."""
    return Adder.bind(int(args.get("increment", 1)))
