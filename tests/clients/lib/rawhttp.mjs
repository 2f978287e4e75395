// Byte-exact HTTP/1.1 requests with node:http: any method, any headers,
// a body on GET, no headers added except Host and Content-Length.
import http from "node:http";

export function httpRequest({ host, port, method, path, headers = {}, body }) {
  return new Promise((resolve) => {
    const h = { ...headers };
    let buf;
    if (body !== undefined && body !== null) {
      buf = Buffer.from(body, "utf8");
      h["content-length"] = String(buf.length);
    } else if (["POST", "PUT", "PATCH"].includes(method)) {
      h["content-length"] = "0";
    }
    const req = http.request({ host, port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, headers: res.headers, text });
      });
      res.on("error", (err) => resolve({ status: 0, error: String(err), text: "" }));
    });
    req.setTimeout(20000, () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ status: 0, error: String(err), text: "" }));
    if (buf) req.write(buf);
    req.end();
  });
}

/**
 * The raw JSON text of the value stored under top-level `key` in the JSON
 * object `line`, without re-serialising it (keeps 2.0 as 2.0).
 */
export function rawValueText(line, key) {
  let i = 0;
  const n = line.length;
  const ws = () => { while (i < n && " \t\r\n".includes(line[i])) i++; };
  const skipString = () => {
    i++; // opening quote
    while (i < n) {
      const c = line[i++];
      if (c === "\\") i++;
      else if (c === '"') return;
    }
  };
  const skipValue = () => {
    ws();
    const c = line[i];
    if (c === '"') return skipString();
    if (c === "{" || c === "[") {
      let depth = 0;
      while (i < n) {
        const d = line[i];
        if (d === '"') { skipString(); continue; }
        if (d === "{" || d === "[") depth++;
        else if (d === "}" || d === "]") { depth--; if (depth === 0) { i++; return; } }
        i++;
      }
      return;
    }
    while (i < n && !",}] \t\r\n".includes(line[i])) i++;
  };
  ws();
  if (line[i] !== "{") return undefined;
  i++;
  for (;;) {
    ws();
    if (line[i] === "}") return undefined;
    const ks = i;
    skipString();
    const k = JSON.parse(line.slice(ks, i));
    ws();
    i++; // colon
    ws();
    const vs = i;
    skipValue();
    if (k === key) return line.slice(vs, i);
    ws();
    if (line[i] === ",") i++;
    else return undefined;
  }
}
