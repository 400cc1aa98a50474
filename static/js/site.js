// Small enhancements; every page works without them.
(function () {
  "use strict";

  // A picture that fails to load leaves the initials behind it visible instead of a broken image.
  document.querySelectorAll(".avatar img").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) {
      img.remove();
    } else {
      img.addEventListener("error", function () { img.remove(); });
    }
  });

  // On narrow screens the contents start folded so that the transcript comes first.
  document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
    var width = parseInt(details.getAttribute("data-collapse-below"), 10);
    if (window.matchMedia("(max-width: " + (width - 1) + "px)").matches) {
      details.open = false;
    }
    // Following a contents link on a phone folds the contents again.
    details.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && window.matchMedia("(max-width: " + (width - 1) + "px)").matches) {
        details.open = false;
      }
    });
  });

  // Mark the section being read in the contents.
  var links = {};
  document.querySelectorAll(".toc__list a[href^='#']").forEach(function (a) {
    links[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
  });
  if (!("IntersectionObserver" in window) || !Object.keys(links).length) {
    return;
  }
  var current = null;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting && links[entry.target.id]) {
        if (current) current.removeAttribute("aria-current");
        current = links[entry.target.id];
        current.setAttribute("aria-current", "true");
      }
    });
  }, { rootMargin: "0px 0px -75% 0px" });
  document.querySelectorAll(".chapter[id]").forEach(function (section) {
    observer.observe(section);
  });
})();
