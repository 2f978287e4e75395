// Every process a test file starts is registered here and killed when the
// test process ends, however it ends: normal exit, an uncaught error, a
// cancelled hook, or SIGINT/SIGTERM/SIGHUP from the runner. A process
// spawned with {detached: true} leads its own process group and the whole
// group is killed (nginx's workers outlive a killed master otherwise).
//
//   import { track } from "./reaper.mjs";
//   const p = track(spawn(...), { group: true });

const live = new Map(); // ChildProcess -> {group}

function killAll() {
  for (const [p, o] of live) {
    try {
      if (o.group && p.pid) process.kill(-p.pid, "SIGKILL");
      else p.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  live.clear();
}

process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig); // the default action, now that the listener is gone
  });
}

/** Register p until it exits; group: kill its process group (spawned detached). */
export function track(p, { group = false } = {}) {
  live.set(p, { group });
  p.once("exit", () => live.delete(p));
  return p;
}
