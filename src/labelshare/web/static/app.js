// Entry point: a hash router over one module per screen, and the signed-in account.
import { api, ApiError, getToken, setToken } from "./api.js";
import { h, errorBox, loading } from "./dom.js";

const routes = [
  [/^#\/signin$/, () => import("./screens/signin.js"), false],
  [/^#\/projects$/, () => import("./screens/projects.js"), true],
  [/^#\/projects\/new$/, () => import("./screens/create.js"), true],
  [/^#\/projects\/(\d+)\/work$/, () => import("./screens/workspace.js"), true],
  [/^#\/projects\/(\d+)\/dashboard$/, () => import("./screens/dashboard.js"), true],
  [/^#\/projects\/(\d+)\/exam$/, () => import("./screens/exam.js"), true],
  [/^#\/earnings$/, () => import("./screens/earnings.js"), true],
  [/^#\/tokens$/, () => import("./screens/tokens.js"), true],
];

export const session = { me: null };

export async function loadMe() {
  if (!getToken()) { session.me = null; return null; }
  try {
    session.me = await api.get("/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { setToken(null); session.me = null; }
    else throw error;
  }
  return session.me;
}

export function hasRole(role) {
  return Boolean(session.me && (session.me.roles.includes(role) || session.me.roles.includes("admin")));
}

function renderNav() {
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  if (!session.me) {
    nav.append(h("a", { href: "#/signin" }, "Sign in"));
    return;
  }
  const links = [["#/projects", "Projects"]];
  if (hasRole("requester")) links.push(["#/projects/new", "New project"]);
  links.push(["#/earnings", "Earnings"], ["#/tokens", "Tokens"]);
  const here = location.hash;
  for (const [href, text] of links) {
    nav.append(h("a", { href, "aria-current": here === href ? "page" : null }, text));
  }
  const short = `${session.me.address.slice(0, 6)}…${session.me.address.slice(-4)}`;
  nav.append(
    h("span", { class: "who", title: session.me.address, "data-testid": "who" }, short),
    h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
  );
}

async function signOut() {
  try { await api.post("/auth/logout"); } catch { /* an API token has no session to end */ }
  setToken(null);
  session.me = null;
  location.hash = "#/signin";
}

let cleanup = null;
let visits = 0;

export async function route() {
  const main = document.getElementById("app");
  if (cleanup) { cleanup(); cleanup = null; }
  if (!location.hash || location.hash === "#/") {
    location.hash = session.me ? "#/projects" : "#/signin";
    return;
  }
  const match = routes.find(([pattern]) => pattern.test(location.hash));
  renderNav();
  if (!match) {
    main.replaceChildren(h("section", { class: "empty" }, h("h2", {}, "No such page"),
      h("p", {}, h("a", { href: "#/projects" }, "Back to the projects"))));
    return;
  }
  const [pattern, load, needsAccount] = match;
  if (needsAccount && !session.me) {
    sessionStorage.setItem("labelshare.after", location.hash);
    location.hash = "#/signin";
    return;
  }
  // Each visit renders into its own view: a slow screen the user already left writes
  // into a detached element instead of over the page they went to.
  const visit = ++visits;
  const view = h("div", { class: "view" }, loading());
  main.replaceChildren(view);
  const params = location.hash.match(pattern).slice(1);
  try {
    const screen = await load();
    const result = await screen.render(view, ...params);
    if (typeof result === "function") {
      if (visit === visits) cleanup = result;
      else result();
    }
  } catch (error) {
    view.replaceChildren(errorBox(error));
  }
  if (visit === visits) main.focus({ preventScroll: true });
}

export async function signedIn() {
  await loadMe();
  const after = sessionStorage.getItem("labelshare.after");
  sessionStorage.removeItem("labelshare.after");
  location.hash = after || "#/projects";
}

window.addEventListener("hashchange", route);
loadMe().catch(() => null).finally(route);
