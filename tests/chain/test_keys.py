"""Key files: both formats load, and no key ever shows in a repr or an error."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from eth_account import Account

from labelshare.chain.keys import KeySigner, load_key_file
from labelshare.errors import InvalidKeyFile

KEY_HEX = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


class TestLoadKeyFile:
    @pytest.mark.parametrize("text", [KEY_HEX, "0x" + KEY_HEX + "\n", KEY_HEX.upper()])
    def test_hex_key_file_loads(self, tmp_path: Path, text: str) -> None:
        """A file with a hex key, with or without 0x and whitespace, gives that key's address."""
        path = tmp_path / "key"
        path.write_text(text)
        assert load_key_file(path).address == Account.from_key(KEY_HEX).address

    def test_keystore_loads_with_password(self, tmp_path: Path) -> None:
        """An encrypted keystore opens with its password."""
        path = tmp_path / "keystore.json"
        path.write_text(
            json.dumps(
                Account.encrypt(bytes.fromhex(KEY_HEX), "hunter2", kdf="pbkdf2", iterations=2)
            )
        )
        assert load_key_file(path, password="hunter2").address == Account.from_key(KEY_HEX).address

    def test_keystore_with_wrong_password_fails(self, tmp_path: Path) -> None:
        """A wrong password is reported without quoting the password or the file."""
        path = tmp_path / "keystore.json"
        path.write_text(
            json.dumps(
                Account.encrypt(bytes.fromhex(KEY_HEX), "hunter2", kdf="pbkdf2", iterations=2)
            )
        )
        with pytest.raises(InvalidKeyFile, match="wrong password or damaged keystore") as info:
            load_key_file(path, password="hunter3")
        assert "hunter" not in str(info.value)

    def test_keystore_without_password_fails(self, tmp_path: Path) -> None:
        """A keystore cannot be opened without its password."""
        path = tmp_path / "keystore.json"
        path.write_text(
            json.dumps(Account.encrypt(bytes.fromhex(KEY_HEX), "pw", kdf="pbkdf2", iterations=2))
        )
        with pytest.raises(InvalidKeyFile, match="a keystore needs its password"):
            load_key_file(path)

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            (KEY_HEX[:-1], "expected 64 hex digits or a JSON keystore"),
            (KEY_HEX[:-1] + "g", "expected 64 hex digits or a JSON keystore"),
            ("0" * 64, "not a valid secp256k1 private key"),
            ("{" + KEY_HEX, "malformed JSON keystore"),
        ],
    )
    def test_malformed_key_file_error_never_quotes_it(
        self, tmp_path: Path, text: str, match: str
    ) -> None:
        """A bad key file is named in the error, its content is not, nor in the cause."""
        path = tmp_path / "key"
        path.write_text(text)
        with pytest.raises(InvalidKeyFile, match=match) as info:
            load_key_file(path, password="pw")
        assert str(path) in str(info.value)
        assert KEY_HEX[:16] not in str(info.value)
        assert info.value.__cause__ is None

    def test_missing_key_file_fails(self, tmp_path: Path) -> None:
        """A missing file is reported as unreadable."""
        with pytest.raises(InvalidKeyFile, match="cannot be read"):
            load_key_file(tmp_path / "absent")


class TestKeySigner:
    def test_repr_shows_address_only(self) -> None:
        """repr and str name the address and never the key."""
        signer = KeySigner.from_key(bytes.fromhex(KEY_HEX))
        for text in (repr(signer), str(signer), f"{signer}"):
            assert signer.address in text
            assert KEY_HEX not in text.lower()

    def test_signer_cannot_be_pickled(self) -> None:
        """Pickling would copy the key, so it is refused."""
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(KeySigner.from_key(bytes.fromhex(KEY_HEX)))

    def test_invalid_raw_key_error_never_quotes_it(self) -> None:
        """A raw key outside the curve order is refused without quoting it."""
        with pytest.raises(InvalidKeyFile, match="not a valid secp256k1 private key") as info:
            KeySigner.from_key(b"\xff" * 32)
        assert "ff" * 8 not in str(info.value)

    def test_signed_transaction_recovers_to_signer(self) -> None:
        """A signed transaction's sender is the signer's address."""
        signer = KeySigner.from_key(bytes.fromhex(KEY_HEX))
        raw = signer.sign_transaction(
            {
                "to": signer.address,
                "value": 1,
                "gas": 21_000,
                "maxFeePerGas": 10,
                "maxPriorityFeePerGas": 1,
                "nonce": 0,
                "chainId": 1,
                "type": 2,
            }
        )
        assert Account.recover_transaction(raw) == signer.address
