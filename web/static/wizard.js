// The org chart's size is checked before it is sent (the server checks it again).
(function () {
  const input = document.getElementById("org-file");
  if (!input) return;
  input.addEventListener("change", () => {
    const out = document.getElementById("org-error");
    const f = input.files[0];
    out.textContent = "";
    if (f && f.size > Number(input.dataset.limit)) {
      out.textContent = f.name + " is " + (f.size / 1048576).toFixed(1) + " MB; the maximum file size allowed is 4 MB.";
      input.value = "";
    }
  });
})();

// After Add, the page comes back at the add form: the cursor goes to its first field.
(function () {
  if (window.location.hash !== "#add-form") return;
  const first = document.querySelector("#add-form input:not([type=hidden]), #add-form select");
  if (first) first.focus();
})();
