"""Transactor: retries re-send the same signed bytes, reverts are reported."""

from __future__ import annotations

from typing import Any

import pytest

from labelshare.chain.transactor import Transactor
from labelshare.errors import ChainError
from tests.chain.conftest import TestChain


class TestTransactor:
    def test_lost_broadcast_is_retried_with_the_same_transaction(
        self, chain: TestChain, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When the first broadcast fails, the retry sends identical bytes and it lands once."""
        sent: list[bytes] = []
        real_send = chain.w3.eth.send_raw_transaction

        def flaky_send(raw: bytes) -> Any:
            sent.append(bytes(raw))
            if len(sent) == 1:
                raise OSError("connection reset")
            return real_send(raw)

        monkeypatch.setattr(chain.w3.eth, "send_raw_transaction", flaky_send)
        monkeypatch.setattr("labelshare.chain.transactor.time.sleep", lambda _s: None)
        transactor = Transactor(chain.w3, max_attempts=3)
        call = chain.settlement.token.functions.mint(chain.others[2].address, 5)
        result = transactor.send(call, chain.operator, what="Token.mint")
        assert len(sent) == 2 and sent[0] == sent[1]
        assert result.gas_used > 0
        assert chain.settlement.token_balance(chain.others[2].address) == 5

    def test_gives_up_after_max_attempts(
        self, chain: TestChain, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A transaction that never reaches the node ends in a ChainError naming its hash."""

        def dead_send(raw: bytes) -> Any:
            raise OSError("connection refused")

        monkeypatch.setattr(chain.w3.eth, "send_raw_transaction", dead_send)
        monkeypatch.setattr("labelshare.chain.transactor.time.sleep", lambda _s: None)
        call = chain.settlement.token.functions.mint(chain.others[2].address, 5)
        with pytest.raises(
            ChainError,
            match=r"Token.mint: no receipt for transaction 0x[0-9a-f]{64} after 2 attempts "
            r"\(last failure: OSError\)",
        ):
            Transactor(chain.w3, max_attempts=2).send(call, chain.operator, what="Token.mint")
        assert chain.settlement.token_balance(chain.others[2].address) == 0

    def test_reverting_call_is_refused_before_signing(self, chain: TestChain) -> None:
        """A call that would revert is reported with the contract's reason."""
        call = chain.settlement.token.functions.mint(chain.others[2].address, 5)
        with pytest.raises(ChainError, match="Token.mint would revert: .*erc20: access is denied"):
            Transactor(chain.w3).send(call, chain.others[2], what="Token.mint")

    def test_max_attempts_below_one_is_refused(self, chain: TestChain) -> None:
        """At least one attempt is needed."""
        with pytest.raises(ValueError, match="max_attempts: 0 is below 1"):
            Transactor(chain.w3, max_attempts=0)
