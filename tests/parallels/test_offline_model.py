"""The embedding model loads and runs with the network off."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Run in a fresh process: no socket may leave the machine, proxies point at a dead
# port, and the Hugging Face variables are unset so declass must set them itself.
PROGRAM = textwrap.dedent(
    """
    import socket
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and not host.startswith(("127.", "::1", "localhost")):
            raise OSError(f"network is off: tried {address!r}")
        return real_connect(self, address)

    socket.socket.connect = guarded
    socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("network is off"))

    from declass.embeddings import DIMENSIONS, load_embedder
    vectors = load_embedder().encode(["Mao Zedong met Stalin in Moscow.", "Сталин"])
    assert vectors.shape == (2, DIMENSIONS), vectors.shape
    print("loaded offline", float(vectors[0] @ vectors[0]))
    """
)


def test_model_loads_and_embeds_with_the_network_off() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "TRANSFORMERS_")) and "proxy" not in k.lower()
    }
    dead = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "loaded offline 1.0" in done.stdout or "loaded offline 0.99" in done.stdout
