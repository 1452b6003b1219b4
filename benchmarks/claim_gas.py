"""Gas of labelshare's Distributor against Uniswap's MerkleDistributor, from receipts.

Both run on the same in-process py-evm chain, pay the same Token contract (one
instance each, so that one side's claims do not warm the other's balances) to the
same accounts, with trees of the same size. Uniswap's distributor is one contract per
epoch with a bitmap of claimed indices; ours keeps one cumulative root. Measured:

* deploy       Distributor deployment (Uniswap: one deployment per epoch)
* post root    publishing an epoch: our ``post_root`` (first and later epochs);
               Uniswap: deploying that epoch's distributor
* first claim  an account's first claim ever (fresh token balance); for Uniswap also
               with its bitmap word already written by a neighbour's claim
* later claim  the next epoch's claim of an account that has claimed before
* two epochs   two epochs owed to an account that has claimed before: one claim for
               us, a claim on each of two distributors for Uniswap

Uniswap's sources are read from a checkout (``--uniswap-repo``, a work tree or a bare
git directory of github.com/Uniswap/merkle-distributor) and compiled as its
hardhat.config.ts does (solc 0.8.17, optimizer on, 5000 runs) with solcjs and
OpenZeppelin 4.7.0 from npm, installed into a temporary directory (or ``--npm-dir``)
at run time. Nothing of Uniswap's is stored in this repository.

    python benchmarks/claim_gas.py                 # table for 1,000 and 100,000 accounts
    python benchmarks/claim_gas.py --json          # our gas at 100,000 accounts, as JSON
                                                   # (post_root: the dearer of first and later)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_typing import HexStr
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from labelshare.chain.artifacts import load_artifact
from labelshare.chain.deploy import deploy_contract
from labelshare.chain.keys import KeySigner
from labelshare.chain.testchain import connect_in_process
from labelshare.chain.transactor import ContractCall, Transactor
from labelshare.ledger.merkle import MerkleTree, hash_pair

SOLC_VERSION = "0.8.17"
OPENZEPPELIN_VERSION = "4.7.0"  # Uniswap/merkle-distributor's package.json pins it
UNISWAP_SOURCES = (
    "contracts/MerkleDistributor.sol",
    "contracts/interfaces/IMerkleDistributor.sol",
)
# A checkout of github.com/Uniswap/merkle-distributor; pass --uniswap-repo or set this.
UNISWAP_REPO_ENV = "LABELSHARE_UNISWAP_REPO"
GOALS = {"later_claim": 0.8, "two_epochs_claim": 0.6, "post_root": 0.1, "first_claim": 1.0}
EPOCHS = 4
SEED = 20_240_601

_COMPILE_JS = r"""
const fs = require("fs"), path = require("path");
const solc = require(path.join(process.argv[1], "node_modules", "solc"));
const input = fs.readFileSync(0, "utf8");
const findImports = (p) => {
  const f = path.join(process.argv[1], "node_modules", p);
  return fs.existsSync(f) ? {contents: fs.readFileSync(f, "utf8")} : {error: "not found: " + p};
};
process.stdout.write(solc.compile(input, {import: findImports}));
"""


# -- Uniswap side ------------------------------------------------------------------


def _read_uniswap_source(repo: Path, relative: str) -> str:
    if (repo / relative).is_file():
        return (repo / relative).read_text(encoding="utf-8")
    shown = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"HEAD:{relative}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return shown.stdout


def compile_uniswap(repo: Path, npm_dir: Path) -> dict[str, Any]:
    """Compile Uniswap's MerkleDistributor with solcjs; return its ABI and bytecode."""
    # npm leaves an install at the pinned versions untouched, so a reused --npm-dir costs
    # one quick check.
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(npm_dir),
         f"solc@{SOLC_VERSION}", f"@openzeppelin/contracts@{OPENZEPPELIN_VERSION}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    sources = {path: {"content": _read_uniswap_source(repo, path)} for path in UNISWAP_SOURCES}
    standard_input = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "optimizer": {"enabled": True, "runs": 5000},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    compiled = subprocess.run(
        ["node", "-e", _COMPILE_JS, str(npm_dir)],
        input=json.dumps(standard_input),
        check=True,
        capture_output=True,
        text=True,
    )
    output = json.loads(compiled.stdout)
    errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise RuntimeError("solc: " + "; ".join(e["formattedMessage"] for e in errors))
    contract = output["contracts"]["contracts/MerkleDistributor.sol"]["MerkleDistributor"]
    return {"abi": contract["abi"], "bytecode": "0x" + contract["evm"]["bytecode"]["object"]}


@dataclass(frozen=True)
class IndexedTree:
    """Uniswap's tree: leaves keccak256(abi.encodePacked(index, account, amount)),
    sorted, with sorted-pair nodes and odd nodes carried up (its src/merkle-tree.ts)."""

    layers: list[list[bytes]]
    position_by_index: dict[int, int]

    @classmethod
    def build(cls, amounts: Sequence[tuple[str, int]]) -> IndexedTree:
        leaves = []
        for index, (account, amount) in enumerate(amounts):
            packed = (
                index.to_bytes(32, "big") + bytes.fromhex(account[2:]) + amount.to_bytes(32, "big")
            )
            leaves.append((keccak(packed), index))
        leaves.sort()
        layer = [leaf for leaf, _ in leaves]
        layers = [layer]
        while len(layer) > 1:
            parents = [hash_pair(layer[i], layer[i + 1]) for i in range(0, len(layer) - 1, 2)]
            if len(layer) % 2:
                parents.append(layer[-1])
            layer = parents
            layers.append(layer)
        return cls(layers, {index: pos for pos, (_, index) in enumerate(leaves)})

    @property
    def root(self) -> bytes:
        return self.layers[-1][0]

    def proof(self, index: int) -> list[bytes]:
        position, siblings = self.position_by_index[index], []
        for layer in self.layers[:-1]:
            if position ^ 1 < len(layer):
                siblings.append(layer[position ^ 1])
            position //= 2
        return siblings


# -- measurement -------------------------------------------------------------------


class Bench:
    """A chain, an operator and a way to send a call and read its gas."""

    def __init__(self) -> None:
        self.w3, signers = connect_in_process()
        self.operator: KeySigner = signers[0]
        self.transactor = Transactor(self.w3)

    def gas(self, call: ContractCall, what: str) -> int:
        return self.transactor.send(call, self.operator, what=what).gas_used

    def deploy(self, abi: list[dict[str, Any]], bytecode: str, *args: Any) -> tuple[Any, int]:
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        result = self.transactor.send(factory.constructor(*args), self.operator, what="deploy")
        receipt = self.w3.eth.get_transaction_receipt(HexStr(result.tx_hash or ""))
        address = Web3.to_checksum_address(receipt["contractAddress"] or "")
        return self.w3.eth.contract(address=address, abi=abi), result.gas_used

    def token(self) -> Any:
        address, _ = deploy_contract(self.w3, self.operator, "Token", "bench", "BNCH", "bench", "1")
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=load_artifact("Token").abi
        )


def _epoch_amounts(size: int) -> tuple[list[str], list[list[int]]]:
    rng = random.Random(SEED + size)
    accounts: list[str] = [to_checksum_address(rng.randbytes(20)) for _ in range(size)]
    # Rewards of up to ~1,000 tokens per epoch, in 18-decimal base units.
    per_epoch = [[rng.randrange(1, 10**21) for _ in accounts] for _ in range(EPOCHS)]
    return accounts, per_epoch


def measure_ours(
    bench: Bench, accounts: list[str], per_epoch: list[list[int]], pick: int
) -> dict[str, int]:
    """Run our scenario; ``pick`` is the claiming account's index."""
    artifact = load_artifact("Distributor")
    token = bench.token()
    distributor, deploy_gas = bench.deploy(artifact.abi, artifact.bytecode, token.address)
    bench.gas(token.functions.mint(distributor.address, 10**30), "mint")
    cumulative = [0] * len(accounts)
    gas: dict[str, int] = {"deploy": deploy_gas}
    trees = []
    for epoch, amounts in enumerate(per_epoch, start=1):
        cumulative = [c + a for c, a in zip(cumulative, amounts, strict=True)]
        tree = MerkleTree.from_claims(list(zip(accounts, cumulative, strict=True)))
        trees.append((tree, cumulative[pick]))
        posted = bench.gas(distributor.functions.post_root(epoch, tree.root, b"\x01" * 32), "post")
        gas.setdefault("post_root_first" if epoch == 1 else "post_root", posted)
        if epoch in (1, 2):
            name = "first_claim" if epoch == 1 else "later_claim"
            claim = distributor.functions.claim(
                accounts[pick], cumulative[pick], tree.proof(accounts[pick])
            )
            gas[name] = bench.gas(claim, name)
    # Epochs 3 and 4 were posted without a claim in between: one claim collects both.
    tree, amount = trees[-1]
    claim = distributor.functions.claim(accounts[pick], amount, tree.proof(accounts[pick]))
    gas["two_epochs_claim"] = bench.gas(claim, "two_epochs_claim")
    gas["proof_length"] = len(tree.proof(accounts[pick]))
    return gas


def measure_uniswap(
    bench: Bench,
    uniswap: dict[str, Any],
    accounts: list[str],
    per_epoch: list[list[int]],
    pick: int,
) -> dict[str, int]:
    """Run Uniswap's scenario: one distributor per epoch, paying that epoch's amounts."""
    token = bench.token()
    gas: dict[str, int] = {}
    claims = []
    neighbour = pick ^ 1  # same 256-bit bitmap word as ``pick``
    for epoch, amounts in enumerate(per_epoch, start=1):
        tree = IndexedTree.build(list(zip(accounts, amounts, strict=True)))
        distributor, deploy_gas = bench.deploy(
            uniswap["abi"], uniswap["bytecode"], token.address, tree.root
        )
        gas.setdefault("deploy", deploy_gas)
        bench.gas(token.functions.mint(distributor.address, sum(amounts)), "mint")

        claim = distributor.functions.claim
        mine = claim(pick, accounts[pick], amounts[pick], tree.proof(pick))
        if epoch == 1:
            gas["first_claim"] = bench.gas(mine, "first_claim")
            theirs = claim(
                neighbour, accounts[neighbour], amounts[neighbour], tree.proof(neighbour)
            )
            gas["first_claim_warm_word"] = bench.gas(theirs, "first_claim_warm_word")
            gas["proof_length"] = len(tree.proof(pick))
        elif epoch == 2:
            gas["later_claim"] = bench.gas(mine, "later_claim")
        else:
            claims.append(bench.gas(mine, "two_epochs_claim"))
    gas["two_epochs_claim"] = sum(claims)
    return gas


def _pick(accounts: list[str], per_epoch: list[list[int]]) -> int:
    """An even index whose proofs are of full depth in both trees (carried-up leaves
    have shorter proofs and would flatter either side)."""
    ours = MerkleTree.from_claims(list(zip(accounts, per_epoch[0], strict=True)))
    theirs = IndexedTree.build(list(zip(accounts, per_epoch[0], strict=True)))
    depth = len(ours.layers) - 1
    for index in range(0, len(accounts) - 1, 2):
        if len(ours.proof(accounts[index])) == depth == len(theirs.proof(index)):
            return index
    raise RuntimeError("no account with full-depth proofs")


def _print_table(size: int, ours: dict[str, int], theirs: dict[str, int] | None) -> None:
    print(f"\n{size:,} accounts (proof length {ours['proof_length']})")
    print(f"{'':34}{'labelshare':>12}{'Uniswap':>12}{'ratio':>8}{'goal':>8}")
    rows = [
        ("deploy distributor", "deploy", "deploy", None),
        ("post root, first epoch", "post_root_first", "deploy", "post_root"),
        ("post root, later epoch", "post_root", "deploy", "post_root"),
        ("first claim (fresh bitmap word)", "first_claim", "first_claim", "first_claim"),
        ("first claim (warm bitmap word)", "first_claim", "first_claim_warm_word", None),
        ("later epoch's claim", "later_claim", "later_claim", "later_claim"),
        (
            "two epochs owed (Uniswap: 2 claims)",
            "two_epochs_claim",
            "two_epochs_claim",
            "two_epochs_claim",
        ),
    ]
    for label, our_key, their_key, goal_key in rows:
        mine = ours[our_key]
        if theirs is None:
            print(f"{label:34}{mine:>12,}")
            continue
        ratio = mine / theirs[their_key]
        goal = f"≤{GOALS[goal_key]:.1f}" if goal_key else ""
        met = ("" if ratio <= GOALS[goal_key] else " MISSED") if goal_key else ""
        print(f"{label:34}{mine:>12,}{theirs[their_key]:>12,}{ratio:>8.3f}{goal:>8}{met}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--json", action="store_true", help="print our gas at 100,000 accounts as JSON, alone"
    )
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated tree sizes")
    parser.add_argument(
        "--uniswap-repo",
        type=Path,
        default=os.environ.get(UNISWAP_REPO_ENV),
        help=f"checkout of Uniswap/merkle-distributor (default: ${UNISWAP_REPO_ENV})",
    )
    parser.add_argument(
        "--npm-dir", type=Path, help="install solc and OpenZeppelin here (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    if args.json:
        accounts, per_epoch = _epoch_amounts(100_000)
        ours = measure_ours(Bench(), accounts, per_epoch, _pick(accounts, per_epoch))
        # Posting a root is reported at its dearest, which may be the first epoch's.
        ours["post_root"] = max(ours["post_root"], ours["post_root_first"])
        keys = ("deploy", "post_root", "first_claim", "later_claim", "two_epochs_claim")
        print(json.dumps({key: ours[key] for key in keys}))
        return 0
    if args.uniswap_repo is None:
        parser.error(f"--uniswap-repo (or ${UNISWAP_REPO_ENV}) is needed for the comparison")
    with tempfile.TemporaryDirectory(prefix="claim-gas-npm-") as scratch:
        uniswap = compile_uniswap(Path(args.uniswap_repo), args.npm_dir or Path(scratch))
    bench = Bench()
    for size in (int(s) for s in args.sizes.split(",")):
        accounts, per_epoch = _epoch_amounts(size)
        pick = _pick(accounts, per_epoch)
        ours = measure_ours(bench, accounts, per_epoch, pick)
        theirs = measure_uniswap(bench, uniswap, accounts, per_epoch, pick)
        _print_table(size, ours, theirs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
