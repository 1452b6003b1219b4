"""Rebuild the shipped contract artefacts from the Vyper sources.

Run ``python -m labelshare.chain.build`` after editing a contract, or
``python -m labelshare.chain.build --check`` to fail when an artefact is stale.
Needs the ``vyper`` and ``snekmate`` packages (the ``dev`` extra); nothing else in
labelshare imports this module.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

import vyper
from vyper.compiler import compile_code
from vyper.compiler.input_bundle import FilesystemInputBundle
from vyper.compiler.settings import OptimizationLevel, Settings

from labelshare.chain.artifacts import (
    CONTRACT_NAMES,
    EVM_VERSION,
    ContractArtifact,
    contract_source,
    source_sha256,
)

_OUTPUTS = ("abi", "bytecode", "bytecode_runtime")


def _search_paths() -> list[Path]:
    # snekmate is imported as a package, so every sys.path entry is a place to look,
    # with the same precedence the vyper command line gives them.
    return [Path(entry) for entry in reversed(sys.path) if entry] + [Path(".")]


def compile_contract(name: str) -> ContractArtifact:
    """Compile one of labelshare's contracts from its packaged source.

    Args:
        name: one of :data:`labelshare.chain.artifacts.CONTRACT_NAMES`.

    Returns:
        The freshly compiled artefact.

    Raises:
        ValueError: if ``name`` is not one of labelshare's contracts.
        vyper.exceptions.VyperException: if the source does not compile.
    """
    source = contract_source(name)
    path = Path(str(resources.files("labelshare.chain") / "contracts" / f"{name}.vy"))
    settings = Settings(evm_version=EVM_VERSION, optimize=OptimizationLevel.GAS)
    output = compile_code(
        source,
        contract_path=path.name,
        resolved_path=path,
        input_bundle=FilesystemInputBundle(_search_paths()),
        settings=settings,
        output_formats=list(_OUTPUTS),
    )
    return ContractArtifact(
        name=name,
        abi=output["abi"],
        bytecode=output["bytecode"],
        bytecode_runtime=output["bytecode_runtime"],
        compiler=f"vyper {vyper.__long_version__}",
        evm_version=EVM_VERSION,
        source_sha256=source_sha256(source),
    )


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, verify) every artefact; return the exit status.

    Args:
        argv: command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        0 when the artefacts were written or are up to date, 1 when ``--check`` found
        a stale one.
    """
    parser = argparse.ArgumentParser(prog="python -m labelshare.chain.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if an artefact is stale")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(str(resources.files("labelshare.chain") / "artifacts")),
        help="directory to write the JSON artefacts to (default: the package's)",
    )
    args = parser.parse_args(argv)
    stale = []
    for name in CONTRACT_NAMES:
        target = args.out / f"{name}.json"
        text = compile_contract(name).to_json()
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    if stale:
        print(f"stale artefacts: {', '.join(stale)}; run python -m labelshare.chain.build")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
