// The episode's YouTube video beside the transcript (privacy-enhanced embed, IFrame API): a turn's ▶ seeks
// it, "Follow" highlights the turn being played and keeps it in view. No video id: no player, no requests.

const API = "https://www.youtube.com/iframe_api";
const HOST = "https://www.youtube-nocookie.com";

export class Player {
  constructor(editor, panel) {
    this.editor = editor;
    this.panel = panel;
    this.video = panel.dataset.video;
    this.player = null;
    this.ready = false;
    this.pending = null; // a seek asked for before the player was ready
    this.timer = null;
    this.starts = [];
    this.playing = null;
    this.toggle = panel.querySelector(".player-toggle");
    this.clock = panel.querySelector(".player-time");
    this.follow = panel.querySelector(".player-follow");
    this.index();
    this.load();
    if (this.toggle) this.toggle.addEventListener("click", () => this.playPause());
  }

  load() {
    const previous = window.onYouTubeIframeAPIReady;
    window.onYouTubeIframeAPIReady = () => {
      if (typeof previous === "function") previous();
      this.create();
    };
    if (window.YT && window.YT.Player) {
      this.create();
      return;
    }
    const script = document.createElement("script");
    script.src = API;
    script.async = true;
    document.head.append(script);
  }

  create() {
    if (this.player) return;
    this.player = new window.YT.Player("player", {
      host: HOST,
      videoId: this.video,
      playerVars: { rel: 0, playsinline: 1, origin: window.location.origin },
      events: {
        onReady: () => {
          this.ready = true;
          if (this.pending !== null) this.seek(this.pending);
        },
        onStateChange: (event) => this.changed(event.data),
      },
    });
  }

  // The turns' start times, in page order, for finding the turn being played.
  index() {
    this.starts = Array.from(this.editor.table.querySelectorAll("tbody tr[data-sec]"), (row) => [Number(row.dataset.sec), row]);
  }

  seek(sec) {
    if (!this.ready) {
      this.pending = sec;
      return;
    }
    this.pending = null;
    this.player.seekTo(sec, true);
    this.player.playVideo();
    this.show(sec);
  }

  playPause() {
    if (!this.ready) return;
    const state = this.player.getPlayerState();
    if (state === window.YT.PlayerState.PLAYING) this.player.pauseVideo();
    else this.player.playVideo();
  }

  changed(state) {
    const playing = state === window.YT.PlayerState.PLAYING;
    if (this.toggle) this.toggle.textContent = playing ? "❚❚ Pause" : "▶︎ Play";
    window.clearInterval(this.timer);
    this.timer = playing ? window.setInterval(() => this.show(this.player.getCurrentTime()), 250) : null;
  }

  // Highlight the last turn that starts at or before ``time``; with Follow, keep it in view.
  show(time) {
    if (this.clock) this.clock.textContent = clock(time);
    let low = 0;
    let high = this.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.starts[middle][0] <= time) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    const row = found >= 0 ? this.starts[found][1] : null;
    if (row === this.playing) return;
    if (this.playing) this.playing.classList.remove("playing");
    this.playing = row;
    if (!row) return;
    row.classList.add("playing");
    const typing = this.editor.isTextField(document.activeElement) && row.contains(document.activeElement) === false;
    if (this.follow && this.follow.checked && !typing) this.editor.reveal(Number(row.id.slice(5)), { quiet: true });
  }

  refreshed() {
    this.index();
    if (this.playing && !this.playing.isConnected) this.playing = null;
  }
}

function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
