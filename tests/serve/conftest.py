"""The served workspace fixture: one uvicorn server for the tests of this folder."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from served_workspace import Served, build_workspace, free_port

from segmint.api import create_app
from segmint.api.state import ServerState
from segmint.workspace.tokens import create_token


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve") / "saas"
    build_workspace(root)
    read_token = create_token(root, "dashboard", scope="read")
    admin_token = create_token(root, "ops", scope="admin")
    state = ServerState(root)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(root, state=state), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", root, read_token, admin_token, state)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
