"""The shipped artefacts are what the shipped sources compile to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labelshare.chain.artifacts import (
    CONTRACT_NAMES,
    ContractArtifact,
    contract_source,
    load_artifact,
    source_sha256,
)
from labelshare.chain.build import compile_contract, main


@pytest.fixture(scope="module")
def compiled() -> dict[str, ContractArtifact]:
    """Every contract compiled afresh, once for the module (compiling takes seconds)."""
    return {name: compile_contract(name) for name in CONTRACT_NAMES}


class TestArtifacts:
    @pytest.mark.parametrize("name", CONTRACT_NAMES)
    def test_shipped_artifact_matches_fresh_compilation(
        self, name: str, compiled: dict[str, ContractArtifact]
    ) -> None:
        """Recompiling the source with vyper gives exactly the shipped ABI and bytecode."""
        shipped = load_artifact(name)
        assert shipped == compiled[name]
        assert shipped.source_sha256 == source_sha256(contract_source(name))

    def test_every_public_function_has_natspec(self) -> None:
        """Each external function of each contract carries a NatSpec docstring."""
        for name in CONTRACT_NAMES:
            source = contract_source(name)
            for block in source.split("\n@external\n")[1:]:
                header, _, body = block.partition(":\n")
                assert body.lstrip().startswith('"""'), f"{name}: {header.splitlines()[-1]}"

    @pytest.mark.parametrize("name", CONTRACT_NAMES)
    def test_every_revert_string_names_the_contract(self, name: str) -> None:
        """Each of the contract's own revert messages starts with the contract's name."""
        messages = re.findall(r'(?:assert [^\n]*, |raise )"([^"]*)"', contract_source(name))
        for message in messages:
            assert message.startswith(f"{name}: "), message

    def test_unknown_contract_is_refused(self) -> None:
        """Only labelshare's contracts have artefacts."""
        with pytest.raises(ValueError, match="name: unknown contract 'Vault'"):
            load_artifact("Vault")

    def test_check_passes_on_fresh_and_fails_on_stale_artifacts(
        self,
        tmp_path: Path,
        compiled: dict[str, ContractArtifact],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The build's --check mode accepts what it wrote and rejects an edited artefact."""
        monkeypatch.setattr("labelshare.chain.build.compile_contract", compiled.__getitem__)
        assert main(["--out", str(tmp_path)]) == 0
        assert main(["--check", "--out", str(tmp_path)]) == 0
        stale = tmp_path / "Distributor.json"
        stale.write_text(stale.read_text().replace('"bytecode": "0x', '"bytecode": "0x00'))
        assert main(["--check", "--out", str(tmp_path)]) == 1
