"""Compiled contracts shipped with the package, so running labelshare needs no compiler.

Each artefact is one JSON file beside this module, in ``chain/artifacts/``, written by
``python -m labelshare.chain.build`` from the Vyper source of the same name in
``chain/contracts/``. A test recompiles the sources and checks that they still match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

CONTRACT_NAMES: Final = ("Token", "Distributor", "StakeVault")
"""The contracts labelshare deploys, in deployment order."""

EVM_VERSION: Final = "cancun"
"""The EVM version the contracts are compiled for; chains from Cancun on run them."""

_PACKAGE: Final = "labelshare.chain"


@dataclass(frozen=True)
class ContractArtifact:
    """The compiler output for one contract.

    Attributes:
        name: the contract's name, e.g. ``"Distributor"``.
        abi: the JSON ABI, as the compiler printed it.
        bytecode: hex (``0x``-prefixed) creation code, without constructor arguments.
        bytecode_runtime: hex (``0x``-prefixed) deployed code.
        compiler: the compiler and its version, e.g. ``"vyper 0.4.3+commit.bff19ea2"``.
        evm_version: the EVM version compiled for.
        source_sha256: SHA-256 (hex) of the Vyper source the artefact was built from.
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    bytecode_runtime: str
    compiler: str
    evm_version: str
    source_sha256: str

    def to_json(self) -> str:
        """Return the artefact as the JSON text stored in the package."""
        return json.dumps(self.__dict__, indent=1, sort_keys=True) + "\n"


def _check_name(name: str) -> None:
    if name not in CONTRACT_NAMES:
        raise ValueError(f"name: unknown contract {name!r}; expected one of {CONTRACT_NAMES}")


def contract_source(name: str) -> str:
    """Return the Vyper source of a contract.

    Args:
        name: one of :data:`CONTRACT_NAMES`.

    Returns:
        The text of ``chain/contracts/<name>.vy``.

    Raises:
        ValueError: if ``name`` is not one of labelshare's contracts.
    """
    _check_name(name)
    return (resources.files(_PACKAGE) / "contracts" / f"{name}.vy").read_text(encoding="utf-8")


def source_sha256(source: str) -> str:
    """Return the SHA-256 (hex) of a contract source, as recorded in its artefact."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def load_artifact(name: str) -> ContractArtifact:
    """Load the shipped artefact of a contract.

    Args:
        name: one of :data:`CONTRACT_NAMES`.

    Returns:
        The artefact read from ``chain/artifacts/<name>.json``.

    Raises:
        ValueError: if ``name`` is not one of labelshare's contracts.
        FileNotFoundError: if the package was built without its artefacts.
    """
    _check_name(name)
    text = (resources.files(__name__) / f"{name}.json").read_text(encoding="utf-8")
    return ContractArtifact(**json.loads(text))
