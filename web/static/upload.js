// Per-file upload with progress, then polling of the processing status; no libraries.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const input = document.getElementById("file");
  const drop = document.getElementById("drop");
  const list = document.getElementById("upload-list");
  const kind = document.getElementById("kind");

  function showRules() {
    const opt = kind.options[kind.selectedIndex];
    document.getElementById("types").textContent = opt.dataset.types;
    document.getElementById("limit").textContent = (opt.dataset.limit / 1048576).toFixed(0);
  }
  kind.addEventListener("change", showRules);
  showRules();

  function row(file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + file.name);
    const msg = document.createElement("span");
    msg.className = "msg";
    msg.textContent = "uploading…";
    li.append(name, bar, msg);
    list.append(li);
    return { li, bar, msg };
  }

  // The documents table follows the uploads as they happen (no reload needed).
  const table = document.querySelector("#documents tbody");
  function tableRow(id, file, status) {
    if (!table) return null;
    const none = table.querySelector("tr.none");
    if (none) none.remove();
    let tr = table.querySelector('tr[data-document="' + id + '"]');
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.document = id;
      const cells = [file.name, kind.options[kind.selectedIndex].textContent, (file.size / 1024).toFixed(1) + " KB"];
      cells.forEach((text) => { const td = document.createElement("td"); td.textContent = text; tr.append(td); });
      const td = document.createElement("td");
      td.className = "doc-status";
      tr.append(td);
      if (table.closest("table").querySelectorAll("thead th").length > 4) tr.append(document.createElement("td"));
      table.append(tr);
    }
    const badge = document.createElement("span");
    badge.className = "badge " + status;
    badge.textContent = status;
    tr.querySelector(".doc-status").replaceChildren(badge);
    return tr;
  }

  function poll(id, ui) {
    const url = form.dataset.status.replace(/0$/, String(id));
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((d) => {
        const p = d.progress || {};
        if (ui.file) tableRow(id, ui.file, d.status);
        if (d.status === "done") {
          ui.bar.value = 100; ui.msg.className = "msg ok"; ui.msg.textContent = "done: processed";
        } else if (d.status === "failed") {
          ui.msg.className = "msg error"; ui.msg.textContent = "failed: " + d.error.message + " (" + d.error.code + ")";
        } else {
          if (p.pages_total) { ui.bar.max = p.pages_total; ui.bar.value = p.pages_done; }
          ui.msg.textContent = d.status + (p.pages_total ? ": " + p.pages_done + " of " + p.pages_total + " pages" : "…");
          setTimeout(() => poll(id, ui), 700);
        }
      })
      .catch(() => setTimeout(() => poll(id, ui), 2000));
  }

  function send(file) {
    const ui = row(file);
    ui.file = file;
    const limit = Number(kind.options[kind.selectedIndex].dataset.limit);
    if (file.size > limit) {
      ui.msg.className = "msg error";
      ui.msg.textContent = "refused: the file is larger than the " + (limit / 1048576).toFixed(0) + " MB limit (too_large)";
      const binder = kind.querySelector('option[value="binder"]');
      if (kind.value === "protocol" && binder && file.size <= Number(binder.dataset.limit)) {
        ui.msg.textContent += '. A scanned binder may be up to ' + (binder.dataset.limit / 1048576).toFixed(0) + ' MB: choose "Scanned binder" as what you upload.';
      }
      return;
    }
    const data = new FormData();
    data.append("file", file);
    data.append("kind", kind.value);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api + "?kind=" + encodeURIComponent(kind.value));
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) ui.bar.value = (100 * e.loaded) / e.total; };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = { message: "The server answered " + xhr.status } ; }
      if (xhr.status === 202 || xhr.status === 200) {
        ui.msg.className = "msg ok";
        ui.msg.textContent = xhr.status === 200 ? "already uploaded: " + body.status : "received";
        tableRow(body.id, file, body.status || "received");
        poll(body.id, ui);
      } else {
        ui.msg.className = "msg error";
        ui.msg.textContent = "refused: " + (body.message || "error " + xhr.status) + (body.code ? " (" + body.code + ")" : "");
      }
    };
    xhr.onerror = () => { ui.msg.className = "msg error"; ui.msg.textContent = "the connection failed; try again"; };
    xhr.send(data);
  }

  input.addEventListener("change", () => { Array.from(input.files).forEach(send); input.value = ""; });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => Array.from(e.dataTransfer.files).forEach(send));
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
})();
