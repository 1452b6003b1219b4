"""Private keys read from files, wrapped so they never reach a log, repr or error.

A key file holds either one hex private key (64 hex digits, ``0x`` optional) or an
encrypted JSON keystore (Web3 Secret Storage, as geth and ``eth-account`` write it),
which needs its password. Keys are read from files, never passed on a command line
where ``ps`` and shell history would keep them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from labelshare.errors import InvalidKeyFile


class KeySigner:
    """Signs transactions with a private key held in memory.

    Its repr, str and every error it raises name the address only.
    """

    __slots__ = ("_account",)

    def __init__(self, account: LocalAccount) -> None:
        """Wrap an ``eth_account`` local account.

        Args:
            account: the account whose key signs.
        """
        self._account = account

    @classmethod
    def from_key(cls, private_key: bytes | str) -> KeySigner:
        """Make a signer from a raw private key (tests and in-process chains).

        Raises:
            InvalidKeyFile: if the key is not a valid secp256k1 private key.
        """
        try:
            return cls(Account.from_key(private_key))
        except (ValueError, TypeError):
            # eth-account's messages can quote the bad key, so the cause is dropped.
            raise InvalidKeyFile(
                "private_key: not a valid secp256k1 private key", field="private_key"
            ) from None

    @property
    def address(self) -> str:
        """The checksummed address of the key."""
        return str(self._account.address)

    def sign_transaction(self, transaction: Mapping[str, Any]) -> bytes:
        """Sign ``transaction`` and return its raw encoded bytes.

        Raises:
            ValueError: if the transaction's fields are malformed (the message names
                the fields, never the key).
        """
        signed = self._account.sign_transaction(dict(transaction))
        return bytes(signed.raw_transaction)

    def __repr__(self) -> str:
        return f"KeySigner(address={self.address!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("KeySigner cannot be pickled: it would copy the private key")


def load_key_file(path: Path, *, password: str | None = None) -> KeySigner:
    """Read a private key from ``path``.

    Args:
        path: a file holding a hex private key, or an encrypted JSON keystore.
        password: the keystore's password; needed only for a keystore.

    Returns:
        A signer for the key.

    Raises:
        InvalidKeyFile: if the file cannot be read, is neither format, or the password
            is missing or wrong. The message names the file, never its content.
    """
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidKeyFile(
            f"key file {path}: cannot be read ({type(exc).__name__})", field="key_file"
        ) from None
    if text.startswith("{"):
        return _from_keystore(path, text, password)
    digits = text.removeprefix("0x").removeprefix("0X")
    if len(digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise InvalidKeyFile(
            f"key file {path}: expected 64 hex digits or a JSON keystore", field="key_file"
        )
    try:
        return KeySigner(Account.from_key(bytes.fromhex(digits)))
    except (ValueError, TypeError):
        raise InvalidKeyFile(
            f"key file {path}: not a valid secp256k1 private key", field="key_file"
        ) from None


def _from_keystore(path: Path, text: str, password: str | None) -> KeySigner:
    if password is None:
        raise InvalidKeyFile(f"key file {path}: a keystore needs its password", field="password")
    try:
        keystore = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidKeyFile(
            f"key file {path}: malformed JSON keystore", field="key_file"
        ) from None
    try:
        key = Account.decrypt(keystore, password)
    except (ValueError, TypeError, KeyError):
        raise InvalidKeyFile(
            f"key file {path}: wrong password or damaged keystore", field="password"
        ) from None
    return KeySigner(Account.from_key(key))
