// "Show surrounding paragraphs": fetch the passage in context from the JSON API and show
// it in place. Text goes in through textContent only, never as HTML. Without JavaScript
// the same link opens the passage's own page.
"use strict";

async function expand(link) {
  const box = link.closest(".hit").querySelector(".context");
  if (link.getAttribute("aria-expanded") === "true") {
    box.hidden = true;
    link.setAttribute("aria-expanded", "false");
    link.textContent = "Show surrounding paragraphs";
    return;
  }
  if (!box.dataset.loaded) {
    box.textContent = "Loading…";
    box.hidden = false;
    const response = await fetch(`/api/passages/${encodeURIComponent(link.dataset.id)}?context=2`);
    const data = await response.json();
    box.textContent = "";
    if (!response.ok) {
      box.textContent = typeof data.detail === "string" ? data.detail : "could not load the context";
      return;
    }
    const list = document.createElement("ol");
    list.className = "paragraphs";
    for (const p of data.paragraphs) {
      const item = document.createElement("li");
      item.value = p.paragraph;
      if (p.paragraph >= data.hit.paragraph && p.paragraph <= data.hit.paragraph_end) {
        item.className = "here";
      }
      const number = document.createElement("span");
      number.className = "para";
      number.textContent = `¶${p.paragraph}`;
      // The passage is marked where it lies in its paragraph; "…" where a long one is cut.
      const [cutBefore, cutAfter] = p.clipped || [false, false];
      item.append(number, " ", cutBefore ? "… " : "");
      if (p.mark) {
        const mark = document.createElement("mark");
        mark.textContent = p.text.slice(p.mark[0], p.mark[1]);
        item.append(p.text.slice(0, p.mark[0]), mark, p.text.slice(p.mark[1]));
      } else {
        item.append(p.text);
      }
      if (cutAfter) item.append(" …");
      list.append(item);
    }
    box.append(list);
    box.dataset.loaded = "1";
  }
  box.hidden = false;
  link.setAttribute("aria-expanded", "true");
  link.textContent = "Hide surrounding paragraphs";
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.expand");
  if (!link) return;
  event.preventDefault();
  expand(link).catch((error) => { link.textContent = `Could not load: ${error}`; });
});

// Choosing a country, mode or period re-runs the search at once.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("form.search select") && field.form.q.value.trim()) field.form.submit();
});
