// Loaded in <head>, not deferred (templates/base.html): marks that scripts run before the page is
// drawn, so the tablet navigation may start folded without a flash; without scripts it stays open.
// A file, not an inline script, so the CSP needs no 'unsafe-inline' for scripts (issue #15).
document.documentElement.classList.add("js");
