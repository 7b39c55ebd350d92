#include "recorder/stream/stream_session.hpp"

#include "common/audio_formats.hpp"
#include "common/clock.hpp"
#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "common/version.hpp"
#include "recorder/stream/http_client.hpp"
#include "recorder/stream/icy_metadata.hpp"
#include "recorder/stream/stream_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace isr::rec {

namespace {

// The first bytes of a body, for a message: as text, and in hex when they are not text.
std::string describe_start(std::span<const std::uint8_t> bytes) {
    const auto text = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto out = cat("\"", printable(text, 48), "\"");
    const bool binary = std::any_of(
        bytes.begin(),
        bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(bytes.size(), 16)),
        [](std::uint8_t b) { return b < 0x20 || b >= 0x7F; });
    if (binary) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += ", in hex";
        for (const auto b : bytes.first(std::min<std::size_t>(bytes.size(), 16))) {
            out += ' ';
            out += kHex[b >> 4];
            out += kHex[b & 0xF];
        }
    }
    return out;
}

Framing framing_of(const std::string& format) noexcept {
    const auto* f = format_named(format);
    return f ? f->framing : Framing::none;
}

bool same_framing(const std::string& a, const std::string& b) {
    return framing_of(a) == framing_of(b);
}

} // namespace

StreamSession::StreamSession(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                             std::shared_ptr<const FileNamer> namer,
                             std::shared_ptr<DiskFailure> disk,
                             std::shared_ptr<StreamReplay> replay)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), state_(std::move(state)), namer_(std::move(namer)),
      disk_(std::move(disk)), splitter_(cfg_, log_, state_, namer_, disk_),
      replay_(std::move(replay)) {
    if (cfg_.record && cfg_.live_events)
        live_.emplace(cfg_, state_, log_);
    if (cfg_.record && (cfg_.levels || live_)) {
        StreamLevels::TimedSink sink;
        if (live_)
            sink = [this](float db, double start_utc) { live_->add(db, start_utc); };
        levels_ = std::make_unique<StreamLevels>(
            cfg_.levels ? cfg_.analyses_directory : std::filesystem::path(), log_, std::move(sink));
        splitter_.set_listener(levels_.get());
    }
}

StreamSession::~StreamSession() {
    merge_pending();
    splitter_.end_session(media_seconds_);
    // The decoder thread ends before the detector it feeds: an event in progress is then
    // reported as it stands.
    levels_.reset();
    if (live_)
        live_->finish();
}

std::string StreamSession::choose_format(const HttpStream& http,
                                         std::span<const std::uint8_t> head) const {
    const auto content_type = http.header("Content-Type");
    const auto sniffed = framing::sniff_format(head);
    if (cfg_.format != "auto")
        return cfg_.format;
    const auto declared = format_for_content_type(content_type);
    if (declared && sniffed && !same_framing(*declared, *sniffed)) {
        log_.warning("the server says Content-Type: ", content_type, " but the data looks like ",
                     *sniffed, "; recording it as ", *sniffed, " (set format = ", *sniffed,
                     " to silence this)");
        return *sniffed;
    }
    if (declared)
        return *declared;
    if (sniffed) {
        log_.info("Content-Type ", content_type.empty() ? "missing" : "'" + content_type + "'",
                  "; the data is ", *sniffed);
        return *sniffed;
    }
    const auto what = is_text_content_type(content_type) ? cat("a ", content_type, " document")
                      : content_type.empty() ? std::string("data without a Content-Type")
                                             : cat("'", content_type, "' data");
    throw SourceError(cat(http.describe(), ": the server sent ", what,
                          " that is not audio (it starts with ", describe_start(head),
                          "); check the URL, or set format = mp3|aac|ogg|opus|flac "
                          "if the server mislabels a real stream"));
}

void StreamSession::run(std::stop_token stop) {
    HttpOptions options;
    options.user_agent = cat("isr/", kVersion);
    options.username = cfg_.username;
    options.password = cfg_.password;
    options.tls_verify = cfg_.tls_verify;
    options.connect_timeout_seconds = cfg_.connect_timeout_seconds;
    options.stall_timeout_seconds = cfg_.stall_timeout_seconds;
    // A read may legitimately wait stall_timeout_seconds (up to an hour) for the network: the
    // client reports that it is waiting, not stuck, once a second meanwhile.
    options.alive = [state = state_] { state->alive(); };
    HttpStream http(options);

    log_.info("connecting to ", mask_url_password(cfg_.url));
    http.open(cfg_.url, stop);
    if (stop.stop_requested())
        return;

    std::optional<IcyMetadataStripper> icy;
    if (const auto metaint_text = http.header("icy-metaint"); !metaint_text.empty()) {
        std::size_t metaint = 0;
        std::from_chars(metaint_text.data(), metaint_text.data() + metaint_text.size(), metaint);
        if (metaint > 0) {
            icy.emplace(metaint, [this](const std::string& title) {
                if (const auto line = titles_.changed(title, mono_now()))
                    log_.info(*line);
                title_ = title;
                state_->update([&](SourceStatus& s) { s.stream_title = title; });
            });
        }
    }
    const auto name = http.header("icy-name");
    log_.info(
        "connected to ", http.describe(), ": HTTP ", http.status(), ", Content-Type ",
        http.header("Content-Type").empty() ? "(none)" : printable(http.header("Content-Type"), 80),
        name.empty() ? "" : cat(", \"", printable(to_utf8(name), 120), "\""),
        icy ? cat(", ICY metadata every ", http.header("icy-metaint"), " bytes (stripped)") : "");

    std::vector<std::uint8_t> buffer(16384);
    std::vector<std::uint8_t> audio;
    std::vector<std::uint8_t> head;       // the body's first bytes, until the format is known
    std::vector<std::uint8_t> body_start; // the body's first bytes, for messages
    std::uint64_t pushed = 0;
    std::uint64_t framed_bytes = 0;
    bool batching = false;
    bool status_set = false;
    std::vector<framing::Unit> units;
    // Whatever way the connection ends (end of stream, stop, stall, network error), the
    // complete frames received so far go to the file.
    try {
        while (!stop.stop_requested()) {
            state_->alive();
            const auto n = http.read_some(buffer, stop);
            if (n == 0) {
                if (!framer_ && !head.empty() && !stop.stop_requested()) {
                    choose_format(http, head); // a short non-audio body: explain it
                }
                if (const auto length = http.content_length(); length && !stop.stop_requested()) {
                    end_reason_ = cat("the server sent a finite body (Content-Length: ", *length,
                                      " bytes, ", fixed(media_seconds_, 1),
                                      " s of audio), a file rather "
                                      "than a live stream; it was recorded to its end");
                }
                break; // end of stream (or stop): the runner reconnects after retry_delay_seconds
            }
            const double arrival = mono_now();
            wall_minus_mono_ = wall_minus_mono();
            audio.clear();
            const auto received = std::span<const std::uint8_t>(buffer).first(n);
            if (icy)
                icy->process(received, audio);
            else
                audio.assign(received.begin(), received.end());
            if (body_start.size() < 64) {
                body_start.insert(body_start.end(), audio.begin(),
                                  audio.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                      audio.size(), 64 - body_start.size())));
            }

            if (!framer_) {
                head.insert(head.end(), audio.begin(), audio.end());
                const bool decided =
                    framing::sniff_format(head).has_value() || cfg_.format != "auto" ||
                    (format_for_content_type(http.header("Content-Type")) && head.size() >= 4096);
                if (!decided && head.size() < kSniffLimit / 4)
                    continue;
                start_framing(choose_format(http, head), http);
                audio.swap(head);
            }
            framer_->push(audio);
            pushed += audio.size();
            if (!framer_->synced() && pushed > kSniffLimit) {
                throw SourceError(cat(http.describe(), ": no ",
                                      cfg_.format == "auto" ? "audio" : cfg_.format,
                                      " frames in the first ", kSniffLimit / 1024,
                                      " KiB of the body (it starts with ",
                                      describe_start(body_start), "); check the URL and format"));
            }
            units.clear();
            while (auto unit = framer_->next())
                units.push_back(std::move(*unit));
            if (!units.empty())
                last_unit_mono_ = arrival;
            note_junk();
            // Junk that keeps coming may be a stream in another format: MP3 that became AAC.
            if (framer_->unframed_bytes() >= kSwitchProbeBytes) {
                if (const auto next = framing::identify_new_format(framer_->unframed(), format_)) {
                    switch_format(*next, units, arrival);
                    update_stream_status(&http);
                }
            }
            if (framer_->synced() && arrival - last_unit_mono_ > cfg_.stall_timeout_seconds) {
                const bool ogg = framing_of(format_) == Framing::ogg;
                throw SourceError(
                    cat("no usable ", ogg ? "Ogg pages" : format_ + " frames", " for ",
                        cfg_.stall_timeout_seconds,
                        " s (stall_timeout_seconds), only data that is not (",
                        human_bytes(junk_total_ + framer_->unframed_bytes()),
                        " skipped on this connection: ",
                        ogg ? "damaged pages, or those of a stream whose header pages were damaged"
                            : "damaged data, or a format isrd cannot follow",
                        "); reconnecting"));
            }
            if (!units.empty()) {
                if (!status_set) {
                    update_stream_status(&http);
                    status_set = true;
                }
                measure_gaps(units, arrival,
                             media_framed_ > 1 ? static_cast<double>(framed_bytes) / media_framed_
                                               : 0);
                for (const auto& unit : units)
                    framed_bytes += unit.bytes.size();
                deliver(units, arrival);
                if (!batching && media_framed_ >= 2.0) {
                    // Icecast sends ~1.4 KB at a time; waking for half a second of audio instead
                    // costs a fraction of the CPU. Arrival times stay exact for the clock, as the
                    // wake-up comes with the newest byte, and even a very slow stream wakes us
                    // well within the stall timeout.
                    const auto half_second = static_cast<double>(framed_bytes) / media_framed_ / 2;
                    http.wake_for(static_cast<int>(std::clamp(half_second, 1.0, 8192.0)));
                    batching = true;
                }
            }
            const double now = mono_now();
            if (now - last_tick_mono_ >= 1.0)
                every_second(now);
        }
    } catch (...) {
        finish_connection();
        throw;
    }
    finish_connection();
}

void StreamSession::start_framing(const std::string& format, const HttpStream& http) {
    framer_ = framing::make_framer(format);
    if (!framer_)
        throw SourceError(cat(http.describe(), ": unsupported format ", format));
    format_ = format;
    if (replay_)
        replay_->start(format);
    last_unit_mono_ = mono_now();
}

void StreamSession::update_stream_status(const HttpStream* http) {
    const auto info = framer_->info();
    const auto extension = framer_->extension().substr(1);
    const auto input = http ? std::optional<std::string>(http->describe()) : std::nullopt;
    state_->update([&](SourceStatus& s) {
        s.format = extension;
        if (info.sample_rate > 0)
            s.sample_rate = info.sample_rate;
        if (info.channels > 0)
            s.channels = info.channels;
        if (input)
            s.input = *input;
    });
}

void StreamSession::note_junk() {
    const auto junk = framer_->junk_bytes();
    const auto resyncs = framer_->resyncs();
    if (junk == junk_seen_ && resyncs == resyncs_seen_)
        return;
    const auto new_junk = junk - junk_seen_;
    const auto new_resyncs = resyncs - resyncs_seen_;
    junk_seen_ = junk;
    resyncs_seen_ = resyncs;
    junk_total_ += new_junk;
    state_->update([&](SourceStatus& s) {
        s.skipped_bytes += new_junk;
        s.resyncs += new_resyncs;
    });
    junk_unlogged_ += new_junk;
    resyncs_unlogged_ += new_resyncs;
    if (junk_log_.allow())
        report_junk(false);
}

void StreamSession::measure_gaps(std::vector<framing::Unit>& units, double arrival,
                                 double bytes_per_second) {
    double media = media_framed_;
    for (const auto& unit : units)
        media += unit.duration;
    for (auto& unit : units) {
        if (!unit.after_junk)
            continue;
        const auto run = framer_->junk_bytes() - junk_at_resync_;
        junk_at_resync_ = framer_->junk_bytes();
        if (bytes_per_second <= 0 || !clock_.ready())
            continue;
        // Both measures, the smaller: a late arrival alone may be the network, and junk
        // alone may have come on top of the audio.
        const double late = clock_.gap(media, arrival);
        const double gap = std::min(late, static_cast<double>(run) / bytes_per_second);
        if (gap >= 0.5) {
            unit.gap_before = gap;
            state_->events().gap("stream_damaged", wall_now() - gap, gap,
                                 "the stream's audio was junk (damaged or foreign data)");
            log_.warning("about ", fixed(gap, 1),
                         " s of the stream's audio were junk: the audio after it is "
                         "placed at its real time (splits and file names stay on the clock)");
        }
    }
}

void StreamSession::report_junk(bool summary) {
    if (junk_unlogged_ == 0 && resyncs_unlogged_ == 0)
        return;
    const bool ogg = framing_of(format_) == Framing::ogg;
    log_.warning(
        summary ? "since the last report: " : "", "skipped ", junk_unlogged_,
        " bytes that were not ", ogg ? "usable Ogg pages" : format_ + " frames",
        " (damaged or foreign data in the stream)",
        resyncs_unlogged_ > 0 ? cat("; found the frames again ", resyncs_unlogged_,
                                    resyncs_unlogged_ == 1 ? " time" : " times")
                              : std::string("; looking for the next valid one"),
        ". Recording goes on with the valid ones; status.json counts skipped_bytes and resyncs");
    junk_unlogged_ = 0;
    resyncs_unlogged_ = 0;
}

void StreamSession::switch_format(const std::string& format, std::vector<framing::Unit>& units,
                                  double arrival) {
    const auto old = format_;
    // The old framing's last units, then the rest to the new framing.
    auto rest = framer_->take_unframed();
    while (auto unit = framer_->flush())
        units.push_back(std::move(*unit));
    note_junk();
    deliver(units, arrival, true);
    units.clear();
    merge_pending();
    splitter_.end_file();
    stream_codec_.clear();
    framer_ = framing::make_framer(format);
    format_ = format;
    if (replay_)
        replay_->start(format);
    junk_seen_ = 0;
    resyncs_seen_ = 0;
    junk_at_resync_ = 0;
    framer_->push(rest);
    while (auto unit = framer_->next())
        units.push_back(std::move(*unit));
    // What lay between the two formats was junk to the old framing and is skipped by the new.
    const auto between = framer_->skipped_bytes() - framer_->junk_bytes();
    junk_total_ += between;
    state_->update([&](SourceStatus& s) { s.skipped_bytes += between; });
    note_junk();
    last_unit_mono_ = arrival;
    log_.warning(
        "the stream changed from ", old, " to ", format, " ", fixed(media_seconds_, 1),
        " s into the connection (the server's source changed its encoder?); recording goes on "
        "in a new ",
        framer_->extension(), " file");
}

void StreamSession::finish_connection() {
    if (framer_) {
        // The last frame is known to be complete only now (a frame cut off by a broken
        // connection is dropped), and frames waiting for the clock to settle are written with
        // the clock as it is.
        std::vector<framing::Unit> tail;
        while (auto unit = framer_->flush())
            tail.push_back(std::move(*unit));
        deliver(tail, mono_now(), true);
        note_junk();
        report_junk(true);
    }
    if (const auto line = titles_.flush(mono_now()))
        log_.info(*line);
    if (framer_ && framer_->skipped_bytes() > 0) {
        log_.debug(framer_->skipped_bytes(),
                   " bytes were not part of a complete frame (joined mid-frame, "
                   "cut off at the end, or junk) and were left out");
    }
    merge_pending(); // a runt of a file goes to the one before it
    splitter_.end_session(media_seconds_);
}

} // namespace isr::rec
