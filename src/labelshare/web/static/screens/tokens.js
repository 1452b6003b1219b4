// The caller's API tokens: create one (its secret is shown once), list, revoke.
import { api } from "../api.js";
import { clearErrors, empty, errorBox, field, h, showFieldError } from "../dom.js";

export async function render(main) {
  const draw = async (created) => {
    const tokens = await api.get("/tokens");
    const name = h("input", { name: "name", required: true, maxlength: 100, placeholder: "laptop script" });
    const form = h("form", { class: "card form", "aria-label": "New API token", novalidate: true },
      h("h2", {}, "New token"), field("Name", name), h("button", { type: "submit", class: "primary" }, "Create token"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        const token = await api.post("/tokens", { name: name.value.trim() });
        await draw(token);
      } catch (error) { showFieldError(form, error); }
    });
    const list = tokens.length
      ? h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["name", "prefix", "created", "state", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, tokens.map((t) => h("tr", {}, h("td", {}, t.name), h("td", {}, h("code", {}, t.prefix)),
          h("td", {}, new Date(t.created_at).toLocaleString()), h("td", {}, t.revoked_at ? "revoked" : "active"),
          h("td", {}, t.revoked_at ? "" : h("button", {
            type: "button", class: "link",
            onclick: async () => {
              try { await api.del(`/tokens/${t.id}`); await draw(); } catch (error) { main.prepend(errorBox(error)); }
            },
          }, "Revoke"))))))
      : empty("No tokens", "Create one for scripts; the browser signs in with the token you used or your wallet.");
    main.replaceChildren(...[h("div", { class: "page-head" }, h("h1", {}, "API tokens")),
      created ? h("div", { class: "success card", role: "status" }, "Copy the new token now; it is not shown again: ",
        h("code", { class: "hash", "data-testid": "new-token" }, created.token)) : null,
      h("div", { class: "grid two" }, form, h("section", { class: "card panel" }, h("h2", {}, "Your tokens"), list))].filter(Boolean));
  };
  await draw();
}
