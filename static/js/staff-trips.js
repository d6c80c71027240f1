// The trip check-in page: each scanned or typed number is posted without leaving the
// page, and the answer (received / not on the list / no such case) replaces the panel.
// Without this script the form posts and the page reloads with the same answer.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-check]");
  const panel = document.getElementById("check-panel");
  if (!form || !panel) return;
  event.preventDefault();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.headers.get("Content-Type")?.startsWith("text/html")) {
      throw new Error("unexpected answer");
    }
    panel.innerHTML = await response.text();
    panel.querySelector("input[name=number]")?.focus();
  } catch (error) {
    form.submit();
  }
});
