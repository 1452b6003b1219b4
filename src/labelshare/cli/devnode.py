"""``labelshare chain devnode``: a throw-away local chain served over JSON-RPC.

For trying the ``evm`` backend without a public node: an in-process py-evm chain
(:mod:`labelshare.chain.testchain`, needs the ``dev`` extra) answers JSON-RPC over HTTP
on localhost, and its ten pre-funded development keys (eth-tester's well-known test
keys, worthless anywhere else) are written to files for ``--key-file``. State lives in
memory and is gone when the command stops.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Annotated, Any

import typer

from labelshare.cli._context import console
from labelshare.errors import InvalidInput

RpcCall = Callable[[str, Any], Any]


def _as_json_rpc(value: Any) -> Any:
    # JSON-RPC carries every number as a 0x hex quantity and bytes as 0x hex data.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {key: _as_json_rpc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json_rpc(item) for item in value]
    return value


def _handler(call: RpcCall) -> type[BaseHTTPRequestHandler]:
    class JsonRpcHandler(BaseHTTPRequestHandler):
        """Answers one JSON-RPC request per POST (one thread: the chain is not thread-safe)."""

        def do_POST(self) -> None:
            answer: dict[str, Any] = {"jsonrpc": "2.0", "id": None}
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                answer["id"] = body.get("id")
                response = call(str(body["method"]), body.get("params", []))
                if "error" in response:
                    error = dict(response["error"])
                    answer["error"] = {
                        "code": int(error.get("code", -32000)),
                        "message": str(error.get("message", "")),
                        "data": _as_json_rpc(error.get("data")),
                    }
                else:
                    answer["result"] = _as_json_rpc(response.get("result"))
            except Exception as exc:
                # The chain raises its own validation errors (e.g. a sender that cannot
                # pay for gas); a node reports them, and malformed requests, as errors.
                answer["error"] = {"code": -32000, "message": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: one line per request would drown the console."""

    return JsonRpcHandler


def make_dev_server(port: int, keys_dir: Path) -> tuple[HTTPServer, list[str]]:
    """Start an in-process chain, write its dev keys, and bind a JSON-RPC server to it.

    Args:
        port: the localhost port to listen on (0: any free port).
        keys_dir: folder that receives ``dev-0.key`` ... ``dev-9.key``.

    Returns:
        The server (not yet serving) and the keys' addresses, in file order.

    Raises:
        InvalidInput: if the ``dev`` extra (eth-tester, py-evm) is not installed.
    """
    try:
        from eth_tester.backends.pyevm.main import get_default_account_keys

        from labelshare.chain.testchain import connect_in_process
    except ImportError as exc:
        raise InvalidInput(
            "devnode: needs the dev extra (pip install 'labelshare[dev]')", field="devnode"
        ) from exc
    w3, signers = connect_in_process()
    call: RpcCall = w3.provider.request_func(w3, w3.middleware_onion)
    keys_dir.mkdir(parents=True, exist_ok=True)
    for index, key in enumerate(get_default_account_keys()):
        path = keys_dir / f"dev-{index}.key"
        path.write_text(key.to_hex() + "\n", encoding="utf-8")
        path.chmod(0o600)
    server = HTTPServer(("127.0.0.1", port), _handler(call))
    return server, [signer.address for signer in signers]


def devnode(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8545,
    keys_dir: Annotated[
        Path, typer.Option(help="Folder for the ten dev keys (dev-0.key ...).")
    ] = Path("devkeys"),
) -> None:
    """Serve a throw-away in-memory chain on http://127.0.0.1:PORT until interrupted."""
    server, addresses = make_dev_server(port, keys_dir)
    console.print(f"dev chain on http://127.0.0.1:{server.server_port} (state is lost on exit)")
    for index, address in enumerate(addresses):
        console.print(f"{keys_dir / f'dev-{index}.key'}: {address}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("dev chain stopped")
    finally:
        server.server_close()
