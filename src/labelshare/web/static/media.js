// Items' images: payloads name them as "/media/<sha256>" on this server (or a data: or
// https: URL). Fetched with the caller's token, since an <img> cannot send it.
import { getToken } from "./api.js";

export async function imageUrl(source) {
  if (!source) return null;
  if (/^(data:|https?:|blob:)/.test(source)) return source;
  try {
    const token = getToken();
    const response = await fetch(source, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok || !(response.headers.get("content-type") || "").startsWith("image/")) return null;
    return URL.createObjectURL(await response.blob());
  } catch {
    return null;
  }
}
