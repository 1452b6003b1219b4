// An annotator's earnings: labels and gold accuracy, then per project and epoch the
// quality score, reward and slashes, shares and royalties, what is claimable with its
// Merkle proof, and a Claim button.
import { api, ApiError, formatTokens } from "../api.js";
import { session } from "../app.js";
import { barChart } from "../charts.js";
import { empty, errorBox, h, loading, unavailable } from "../dom.js";

function figure(term, value, testid) {
  return h("div", {}, h("dt", {}, term), h("dd", { "data-testid": testid }, value));
}

function proofView(proof) {
  return h("div", { class: "proof" },
    h("p", {}, `Cumulative ${formatTokens(proof.amount)} under the root of epoch ${proof.epoch}:`),
    h("code", { class: "hash block" }, proof.root),
    h("p", {}, `Proof (${proof.proof.length} hash${proof.proof.length === 1 ? "" : "es"}, leaf to root):`),
    h("ol", { class: "hashes" }, proof.proof.map((node) => h("li", {}, h("code", { class: "hash" }, node)))));
}

function epochTable(rows) {
  if (!rows.length) return h("p", { class: "muted" }, "No settled epoch yet.");
  return h("table", { class: "table", "data-testid": "earning-epochs" },
    h("caption", { class: "muted" }, "Per epoch"),
    h("thead", {}, h("tr", {}, ...["Epoch", "Labels", "Quality", "Reward", "Slashed", "Royalties"]
      .map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {},
      h("td", {}, String(row.number)),
      h("td", {}, String(row.labels)),
      h("td", {}, row.quality === null ? "—" : `${Math.round(row.quality * 100)}%`),
      h("td", {}, formatTokens(row.reward)),
      h("td", {}, formatTokens(row.slashed)),
      h("td", {}, formatTokens(row.royalties))))));
}

function projectEarnings(project, entry, epochs, rerender) {
  const slot = h("div", { class: "error-slot" });
  const proofSlot = h("div", {});
  const due = BigInt(entry.due);
  const claim = h("button", { type: "button", class: "primary", disabled: due === 0n, "data-testid": "claim" },
    due === 0n ? "Nothing to claim" : `Claim ${formatTokens(entry.due)}`);
  claim.addEventListener("click", async () => {
    claim.disabled = true;
    slot.replaceChildren(loading("Claiming…"));
    try {
      const record = await api.post(`/projects/${project.id}/claims`, {});
      slot.replaceChildren(h("p", { class: "success", role: "status" },
        `Claimed ${formatTokens(record.amount)} under the root of epoch ${record.epoch}.`));
      setTimeout(rerender, 1500);
    } catch (error) {
      slot.replaceChildren(error instanceof ApiError && error.isMissingEndpoint
        ? unavailable("Claiming", "POST /api/v1/projects/{id}/claims") : errorBox(error));
      claim.disabled = false;
    }
  });
  // EVM backend: the server builds the unsigned claim transaction; the wallet signs and
  // sends it (anyone may send a claim; the tokens always go to the address).
  const walletClaim = window.ethereum && due > 0n
    ? h("button", { type: "button", "data-testid": "wallet-claim" }, "Claim from wallet")
    : null;
  walletClaim?.addEventListener("click", async () => {
    slot.replaceChildren(loading("Asking the wallet…"));
    try {
      const tx = await api.get(`/projects/${project.id}/claims/${entry.address}/transaction`);
      const hash = await window.ethereum.request({ method: "eth_sendTransaction", params: [tx] });
      slot.replaceChildren(h("p", { class: "success", role: "status" }, `Claim sent in transaction ${hash}.`));
    } catch (error) {
      slot.replaceChildren(error instanceof ApiError && error.isMissingEndpoint
        ? unavailable("Claiming from a wallet (EVM backend)", "GET /api/v1/projects/{id}/claims/{address}/transaction")
        : errorBox(error.detail ? error : { error: "WalletError", detail: error.message }));
    }
  });
  const showProof = h("button", { type: "button" }, "Show Merkle proof");
  showProof.addEventListener("click", async () => {
    proofSlot.replaceChildren(loading());
    try {
      proofSlot.replaceChildren(proofView(await api.get(`/projects/${project.id}/claims/${entry.address}`)));
    } catch (error) {
      proofSlot.replaceChildren(errorBox(error));
    }
  });
  return h("article", { class: "card panel", dataset: { project: project.name } },
    h("h2", {}, project.name),
    h("dl", { class: "figures" },
      figure("Earned (cumulative)", formatTokens(entry.cumulative), "cumulative"),
      figure("Claimed", formatTokens(entry.claimed), "claimed"),
      figure("Claimable now", formatTokens(entry.due), "due"),
      figure("Dataset shares", formatTokens(entry.shares), "shares"),
      figure("Stake", formatTokens(entry.stake), "stake")),
    epochTable(epochs),
    h("div", { class: "actions" }, claim, walletClaim, showProof), slot, proofSlot);
}

async function allProjects() {
  const projects = [];
  let after = 0;
  for (;;) {
    const page = await api.get(`/projects?limit=100&after=${after}`);
    projects.push(...page.items);
    if (page.next_after === null) return projects;
    after = page.next_after;
  }
}

export async function render(main) {
  const draw = async () => {
    const stats = await api.get("/me/stats");
    if (location.hash !== "#/earnings") return; // the user went elsewhere meanwhile
    const summary = h("section", { class: "card panel" }, h("h2", {}, "Your record"),
      h("dl", { class: "figures" },
        figure("Labels", stats.labels, "my-labels"),
        figure("Projects", stats.projects),
        figure("Gold answered", stats.gold_answered),
        figure("Gold accuracy", stats.accuracy === null ? "—" : `${Math.round(stats.accuracy * 100)}%`),
        figure("Domains", stats.domains.join(", ") || "none yet")));
    const body = h("div", {}, loading());
    main.replaceChildren(h("div", { class: "page-head" }, h("h1", {}, "Earnings")), summary, body);
    const address = session.me.address;
    const projects = await allProjects();
    const found = [];
    for (const project of projects) {
      try {
        const entry = await api.get(`/projects/${project.id}/earnings/${address}`);
        if (BigInt(entry.cumulative) > 0n || BigInt(entry.shares) > 0n) {
          found.push([project, entry, await api.get(`/projects/${project.id}/earnings/${address}/epochs`)]);
        }
      } catch (error) {
        if (error instanceof ApiError && error.isMissingEndpoint) {
          body.replaceChildren(unavailable("Earnings, shares and claims", "GET /api/v1/projects/{id}/earnings/{address}"));
          return;
        }
        throw error;
      }
    }
    if (!found.length) {
      body.replaceChildren(empty("Nothing earned yet", "Rewards appear here once an epoch of a project you labelled is settled.",
        h("a", { class: "button primary", href: "#/projects" }, "Find work")));
      return;
    }
    const chart = barChart(found.map(([project, entry]) => [project.name, Number(BigInt(entry.cumulative) / 10n ** 14n) / 10000]),
      { label: "Earned per project (tokens)" });
    const redraw = () => draw().catch((error) => main.replaceChildren(errorBox(error)));
    body.replaceChildren(h("section", { class: "card panel" }, chart),
      ...found.map(([project, entry, epochs]) => projectEarnings(project, entry, epochs, redraw)));
  };
  await draw();
}
