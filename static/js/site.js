// Small enhancements; every page works without them.
(function () {
  "use strict";

  setUpPlayer(document.querySelector(".video[data-video-id]"));
  setUpContentsButton(document.querySelector(".to-contents"));

  // A picture that fails to load leaves what is behind it (initials, the poster's background) visible
  // instead of a broken image.
  document.querySelectorAll(".avatar img, .video__poster img").forEach(function (img) {
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

  // -- The video: a poster until the reader asks for the player ------------------------------------------
  //
  // The page makes no request to another site until the reader presses play or a time: then the YouTube
  // IFrame API loads the privacy-enhanced player (youtube-nocookie.com). Times in the contents and the
  // transcript seek it, and the turn being played is highlighted. Without this script, or with a modifier
  // key held, a time stays a link to the video at that time on YouTube.

  function setUpPlayer(box) {
    if (!box) {
      return;
    }
    var videoId = box.getAttribute("data-video-id");
    var title = box.getAttribute("data-title") || "Video";
    var API = "https://www.youtube.com/iframe_api";
    var HOST = "https://www.youtube-nocookie.com";
    var PLAYING = 1;
    var player = null;
    var mode = "poster"; // poster, loading, api (the IFrame API's player) or plain (an embed without the API)
    var pending = null; // where to start once the player is ready
    var timer = null;
    var playingTurn = null;
    var playingSection = null;

    // Each turn's start: its own time, else the turn before's; never earlier than the turn before.
    var turns = Array.prototype.slice.call(document.querySelectorAll(".transcript .turn"));
    var starts = [];
    var last = 0;
    turns.forEach(function (turn) {
      var own = turn.querySelector(":scope > a.ts");
      var sec = own ? secondsOf(own) : null;
      if (sec !== null) {
        last = Math.max(last, sec);
      }
      starts.push(last);
    });

    document.querySelectorAll(".toc__list a.ts[aria-label]").forEach(function (link) {
      link.setAttribute("aria-label", link.getAttribute("aria-label").replace(/ on YouTube$/, ""));
    });

    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      var link = event.target.closest("a.ts, a.video__poster");
      if (!link) {
        return;
      }
      var sec = link.classList.contains("video__poster") ? 0 : secondsOf(link);
      if (sec === null) {
        return;
      }
      event.preventDefault();
      var turn = link.closest(".turn");
      play(sec, turn || turnAt(sec, true), link === document.activeElement || link.contains(document.activeElement));
      // A time in the contents also goes to its section, as the title beside it does, so that the reader
      // sees what is being played.
      var title = link.closest(".toc__list li");
      title = title && title.querySelector("a[href^='#']");
      if (title) {
        title.click();
      }
    });

    function secondsOf(link) {
      var match = /[?&]t=(\d+)/.exec(link.getAttribute("href") || "");
      return match ? parseInt(match[1], 10) : null;
    }

    function play(sec, turn, hadFocus) {
      highlight(turn);
      if (mode === "api" && player && player.seekTo) {
        player.seekTo(sec, true);
        player.playVideo();
      } else if (mode === "plain") {
        plainPlayer(sec, false);
      } else {
        pending = sec;
        if (mode === "poster") {
          load(hadFocus);
        }
      }
    }

    function load(hadFocus) {
      mode = "loading";
      box.classList.add("is-loading");
      var target = document.createElement("div");
      box.appendChild(target);
      whenApiReady(function () {
        if (mode !== "loading") {
          return;
        }
        mode = "api";
        player = new window.YT.Player(target, {
          host: HOST,
          videoId: videoId,
          playerVars: { autoplay: 1, start: pending || 0, playsinline: 1, rel: 0, origin: location.origin },
          events: {
            onReady: function () {
              var frame = player.getIframe();
              frame.setAttribute("title", title);
              box.classList.remove("is-loading");
              removePoster();
              if (hadFocus) {
                frame.focus();
              }
              if (pending) {
                player.seekTo(pending, true);
              }
              pending = null;
              player.playVideo();
            },
            onStateChange: function (event) {
              clearInterval(timer);
              if (event.data === PLAYING) {
                timer = setInterval(follow, 500);
              }
              follow();
            }
          }
        });
      }, function () {
        // The API did not load (blocked, offline): a plain embed still plays, and times restart it.
        if (mode === "loading") {
          target.remove();
          plainPlayer(pending || 0, hadFocus);
        }
      });
    }

    function plainPlayer(sec, hadFocus) {
      mode = "plain";
      var frame = box.querySelector("iframe") || document.createElement("iframe");
      frame.setAttribute("title", title);
      frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
      frame.src = HOST + "/embed/" + encodeURIComponent(videoId) + "?autoplay=1&playsinline=1&rel=0&start=" + sec;
      if (!frame.parentNode) {
        box.appendChild(frame);
      }
      box.classList.remove("is-loading");
      removePoster();
      if (hadFocus) {
        frame.focus();
      }
    }

    function removePoster() {
      var poster = box.querySelector(".video__poster");
      if (poster) {
        poster.remove();
      }
    }

    function whenApiReady(done, failed) {
      if (window.YT && window.YT.Player) {
        done();
        return;
      }
      var settled = false;
      var previous = window.onYouTubeIframeAPIReady;
      window.onYouTubeIframeAPIReady = function () {
        if (typeof previous === "function") {
          previous();
        }
        if (!settled) {
          settled = true;
          done();
        }
      };
      function fail() {
        if (!settled) {
          settled = true;
          failed();
        }
      }
      var script = document.createElement("script");
      script.src = API;
      script.async = true;
      script.onerror = fail;
      document.head.appendChild(script);
      setTimeout(fail, 10000);
    }

    function follow() {
      if (player && player.getCurrentTime) {
        highlight(turnAt(player.getCurrentTime(), false));
      }
    }

    // The turn being said at ``sec``: the last one started by then. Of turns starting together, a turn
    // already highlighted stays so (the reader may have picked it), else the first of them.
    function turnAt(sec, fresh) {
      var low = 0;
      var high = starts.length - 1;
      var found = -1;
      while (low <= high) {
        var mid = (low + high) >> 1;
        if (starts[mid] <= sec) {
          found = mid;
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      if (found < 0) {
        return null;
      }
      var current = playingTurn ? turns.indexOf(playingTurn) : -1;
      if (!fresh && current >= 0 && starts[current] === starts[found] && current <= found) {
        return playingTurn;
      }
      while (found > 0 && starts[found - 1] === starts[found]) {
        found -= 1;
      }
      return turns[found];
    }

    function highlight(turn) {
      if (turn === playingTurn) {
        return;
      }
      if (playingTurn) {
        playingTurn.classList.remove("is-playing");
      }
      playingTurn = turn;
      if (turn) {
        turn.classList.add("is-playing");
      }
      var section = turn && turn.closest(".chapter[id]");
      var entry = section && document.querySelector(".toc__list a[href='#" + CSS.escape(section.id) + "']");
      if (entry !== playingSection) {
        if (playingSection) {
          playingSection.classList.remove("is-playing");
        }
        playingSection = entry;
        if (entry) {
          entry.classList.add("is-playing");
        }
      }
    }
  }

  // -- "Contents ↑": out of the text's way --------------------------------------------------------------
  //
  // On narrow screens the button floats over the transcript only while the reader scrolls back up (to
  // look for something); while reading on, downwards, it stays out of sight. Without this script it is a
  // plain link at the end of the episode.

  function setUpContentsButton(button) {
    if (!button) {
      return;
    }
    var contents = document.getElementById("contents");
    button.classList.add("is-floating");
    var lastY = window.scrollY;
    var scheduled = false;
    window.addEventListener("scroll", function () {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(update);
      }
    }, { passive: true });

    function update() {
      scheduled = false;
      var y = window.scrollY;
      var pastContents = !contents || contents.getBoundingClientRect().bottom < 0;
      if (!pastContents || y > lastY + 2) {
        button.classList.remove("is-shown");
      } else if (y < lastY - 2) {
        button.classList.add("is-shown");
      }
      lastY = y;
    }
  }
})();
