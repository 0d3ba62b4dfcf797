// The console's live parts, all pushed by the server over Server-Sent Events (no polling).
// [data-live]: each event is {elementId: html}; the server renders the same components the page first showed.
// [data-tail]: each event is one decoded record, added at the top of the table.
// A "denied" event (the cluster's ACLs refused the signed-in user) closes the stream and says so above it.
"use strict";
const denied = (source, element) => source.addEventListener("denied", e => {
  source.close();
  const note = document.createElement("p");
  note.className = "error denied";
  note.textContent = "Not allowed: the cluster's ACLs refused your user (" + JSON.parse(e.data).reason + ").";
  element.before(note);
});
document.querySelectorAll("[data-live]").forEach(section => {
  const source = new EventSource(section.dataset.live);
  denied(source, section);
  source.onmessage = e => {
    const fragments = JSON.parse(e.data);
    for (const id in fragments) {
      const target = document.getElementById(id);
      if (target) target.innerHTML = fragments[id];
    }
  };
});
document.querySelectorAll("table[data-tail]").forEach(table => {
  const body = table.tBodies[0];
  const traceUrl = table.dataset.traceUrl;
  const source = new EventSource(table.dataset.tail);
  denied(source, table);
  source.onopen = () => table.dataset.open = "true";
  const cell = (row, text, pre) => {
    const td = row.insertCell();
    if (pre) { const p = document.createElement("pre"); p.textContent = text; td.appendChild(p); } else td.textContent = text;
    return td;
  };
  source.onmessage = e => {
    const r = JSON.parse(e.data);
    const row = body.insertRow(0);
    row.dataset.offset = r.partition + ":" + r.offset;
    cell(row, r.partition); cell(row, r.offset); cell(row, r.timestamp);
    cell(row, JSON.stringify(r.key), true); cell(row, JSON.stringify(r.headers), true);
    cell(row, JSON.stringify(r.value, null, 1), true);
    const trace = row.insertCell();
    if (r.traceId && traceUrl) {
      const a = document.createElement("a");
      a.href = traceUrl.replace("{traceId}", r.traceId); a.textContent = r.traceId.substring(0, 8) + "…"; a.className = "trace";
      trace.appendChild(a);
    } else if (r.traceId) trace.textContent = r.traceId;
    while (body.rows.length > 500) body.deleteRow(-1);
  };
});
