// Sign in with a wallet (EIP-4361 through window.ethereum) or with an API token.
import { api, setToken } from "../api.js";
import { signedIn } from "../app.js";
import { clearErrors, field, h, showFieldError } from "../dom.js";
import { checksumAddress } from "../keccak.js";

function siweMessage({ domain, address, uri, chainId, nonce, issuedAt }) {
  return `${domain} wants you to sign in with your Ethereum account:\n${address}\n\n`
    + "Sign in to labelshare.\n\n"
    + `URI: ${uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${nonce}\nIssued At: ${issuedAt}`;
}

function toHex(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function walletSignIn(form) {
  clearErrors(form);
  const [address] = await window.ethereum.request({ method: "eth_requestAccounts" });
  const nonce = await api.get("/auth/nonce");
  const message = siweMessage({
    domain: nonce.domain,
    address: toChecksum(address),
    uri: location.origin,
    chainId: nonce.chain_id,
    nonce: nonce.nonce,
    issuedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  const signature = await window.ethereum.request({ method: "personal_sign", params: [toHex(message), address] });
  const signed = await api.post("/auth/siwe", { message, signature });
  setToken(signed.token);
  await signedIn();
}

// Wallets answer in lower case; EIP-4361 wants the EIP-55 checksum form.
function toChecksum(address) {
  return checksumAddress(address);
}

export async function render(main) {
  const tokenInput = h("input", { name: "token", type: "password", autocomplete: "off", required: true, placeholder: "lsk_…" });
  const tokenForm = h("form", { class: "card", "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, "Sign in with an API token"),
    field("API token", tokenInput, "Printed by `labelshare annotator add --token` or `make demo`."),
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(tokenForm);
    setToken(tokenInput.value.trim());
    try {
      await api.get("/me");
      await signedIn();
    } catch (error) {
      setToken(null);
      showFieldError(tokenForm, { ...error, detail: error.detail, field: "token" });
    }
  });

  const hasWallet = typeof window.ethereum !== "undefined";
  const walletForm = h("form", { class: "card", "aria-labelledby": "wallet-title" },
    h("h2", { id: "wallet-title" }, "Sign in with Ethereum"),
    h("p", {}, hasWallet
      ? "Your wallet signs a one-time sign-in message (EIP-4361). Nothing is sent on chain."
      : "No wallet found in this browser. Install one (e.g. a browser extension), or use an API token."),
    h("button", { type: "submit", class: "primary", disabled: !hasWallet, name: "wallet" }, "Connect wallet"));
  walletForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await walletSignIn(walletForm);
    } catch (error) {
      showFieldError(walletForm, error.detail ? error : { error: "WalletError", detail: error.message });
    }
  });

  main.replaceChildren(h("section", { class: "signin" },
    h("h1", {}, "Sign in"),
    h("p", { class: "lead" }, "Label data, get paid by the quality of your work, and own a share of the datasets you build."),
    h("div", { class: "grid two" }, walletForm, tokenForm)));
  tokenInput.focus();
}
