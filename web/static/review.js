// Reading at speed: j / k move between answers, n jumps to the next flagged one, c puts the
// cursor in the current answer's points box. Keys typed into a field are left alone.
(function () {
  const answers = Array.from(document.querySelectorAll("article.answer"));
  if (!answers.length) return;
  let current = -1;
  function go(i) {
    if (i < 0 || i >= answers.length) return;
    if (current >= 0) answers[current].classList.remove("current");
    current = i;
    answers[i].classList.add("current");
    answers[i].focus();
    answers[i].scrollIntoView({ block: "start" });
  }
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    const at = answers.indexOf(document.activeElement.closest ? document.activeElement.closest("article.answer") : null);
    if (at >= 0) current = at;
    if (e.key === "j") { go(current + 1); e.preventDefault(); }
    else if (e.key === "k") { go(Math.max(current - 1, 0)); e.preventDefault(); }
    else if (e.key === "n") {
      const next = answers.findIndex((a, i) => i > current && a.classList.contains("flagged"));
      if (next >= 0) go(next);
      e.preventDefault();
    } else if (e.key === "c" && current >= 0) {
      const box = answers[current].querySelector("input[name=awarded]");
      if (box) { box.focus(); box.select(); e.preventDefault(); }
    }
  });
})();
