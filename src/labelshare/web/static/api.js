// The one door to the server: every call goes to the public HTTP API under /api/v1.
// Errors arrive as {"error", "detail", "field"?} and are thrown as ApiError so that
// screens can show them next to the field they name.

const TOKEN_KEY = "labelshare.token";
export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || `HTTP ${status}`);
    this.status = status;
    this.error = body.error || "HTTPError";
    this.detail = body.detail || `HTTP ${status}`;
    this.field = body.field || null;
  }

  // A route this server does not have (yet): the page shows "not available".
  get isMissingEndpoint() {
    return (this.status === 404 && this.error === "NotFound" && this.detail === "Not Found")
      || this.status === 405;
  }
}

export function getToken() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

async function send(path, { method = "GET", json, form, headers = {}, raw = false } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  const token = getToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch (cause) {
    throw new ApiError(0, { error: "NetworkError", detail: `cannot reach the server (${cause.message})` });
  }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch { body = { detail: response.statusText }; }
    throw new ApiError(response.status, body);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const api = {
  get: (path) => send(path),
  post: (path, json, headers) => send(path, { method: "POST", json, headers }),
  patch: (path, json) => send(path, { method: "PATCH", json }),
  del: (path) => send(path, { method: "DELETE" }),
  upload: (path, form) => send(path, { method: "POST", form }),
  raw: (path) => send(path, { raw: true }),
};

// Amounts are decimal strings of base units (18 decimals); format without floats.
export function formatTokens(baseUnits, decimals = 18) {
  if (baseUnits === null || baseUnits === undefined) return "—";
  const negative = String(baseUnits).startsWith("-");
  const digits = String(baseUnits).replace("-", "").padStart(decimals + 1, "0");
  const whole = digits.slice(0, -decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = digits.slice(-decimals).replace(/0+$/, "").slice(0, 6);
  return `${negative ? "-" : ""}${whole}${fraction ? "." + fraction : ""}`;
}
