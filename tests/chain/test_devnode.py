"""``labelshare chain devnode``: an in-memory chain answering JSON-RPC over HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from labelshare.chain import EvmSettlement, deploy_contracts, load_key_file
from labelshare.cli.devnode import make_dev_server
from labelshare.errors import ChainError


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A dev node on a free port, serving from a thread until the test ends."""
    server, addresses = make_dev_server(0, tmp_path / "keys")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", addresses
    server.shutdown()
    server.server_close()
    thread.join()


class TestDevNode:
    def test_contracts_deploy_and_revert_over_http(
        self, node: tuple[str, list[str]], tmp_path: Path
    ) -> None:
        """A web3 client deploys through the node and gets the contract's revert reason."""
        url, addresses = node
        operator = load_key_file(tmp_path / "keys" / "dev-0.key")
        assert operator.address == addresses[0]
        assert (tmp_path / "keys" / "dev-0.key").stat().st_mode & 0o777 == 0o600
        w3 = Web3(Web3.HTTPProvider(url))
        deployment = deploy_contracts(w3, operator)
        backend = EvmSettlement(w3, deployment, operator=operator)
        backend.fund(10)
        assert backend.token_balance(deployment.distributor) == 10
        with pytest.raises(ChainError, match="StakeVault: nothing to withdraw"):
            backend.withdraw_stake(signer=operator)

    def test_malformed_request_gets_a_json_rpc_error(self, node: tuple[str, list[str]]) -> None:
        """A request without a method is answered with an error, not a dropped connection."""
        url, _ = node
        request = urllib.request.Request(
            url, data=b'{"id": 7}', headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as response:
            answer = json.loads(response.read())
        assert answer["id"] == 7
        assert "KeyError" in answer["error"]["message"]
