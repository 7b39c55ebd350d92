#include "recorder/stream/stream_session.hpp"

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

constexpr double kSyncIntervalSeconds = 5.0;
// Beyond this, held frames are written anyway (a very high-rate stream or a huge burst).
constexpr std::size_t kMaxHeldBytes = 8 << 20;

// The first bytes of a body, for a message: as text, and in hex when they are not text.
std::string describe_start(std::span<const std::uint8_t> bytes) {
    const auto text = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto out = cat("\"", printable(text, 48), "\"");
    const bool binary = std::any_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(bytes.size(), 16)),
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

bool same_framing(const std::string& a, const std::string& b) {
    const auto family = [](const std::string& f) { return f == "opus" ? std::string("ogg") : f; };
    return family(a) == family(b);
}

} // namespace

StreamSession::StreamSession(const SourceConfig& cfg, std::shared_ptr<SourceState> state,
                             std::shared_ptr<const FileNamer> namer, std::shared_ptr<DiskFailure> disk)
    : cfg_(cfg), log_(cfg.name, cfg.log_level), state_(std::move(state)), namer_(std::move(namer)),
      disk_(std::move(disk)), folder_(cfg.output_directory) {}

StreamSession::~StreamSession() {
    close_file();
    disk_->session_ended(media_seconds_);
    count_loss();
}

std::string StreamSession::choose_format(const HttpStream& http, std::span<const std::uint8_t> head) const {
    const auto content_type = http.header("Content-Type");
    const auto sniffed = framing::sniff_format(head);
    if (cfg_.format != "auto") return cfg_.format;
    const auto declared = format_for_content_type(content_type);
    if (declared && sniffed && !same_framing(*declared, *sniffed)) {
        log_.warning("the server says Content-Type: ", content_type, " but the data looks like ",
                     *sniffed, "; recording it as ", *sniffed, " (set format = ", *sniffed,
                     " to silence this)");
        return *sniffed;
    }
    if (declared) return *declared;
    if (sniffed) {
        log_.info("Content-Type ", content_type.empty() ? "missing" : "'" + content_type + "'",
                  "; the data is ", *sniffed);
        return *sniffed;
    }
    const auto what = is_text_content_type(content_type) ? cat("a ", content_type, " document")
                      : content_type.empty()             ? std::string("data without a Content-Type")
                                                         : cat("'", content_type, "' data");
    throw SourceError(cat(http.describe(), ": the server sent ", what, " that is not audio (it starts with ",
                          describe_start(head), "); check the URL, or set format = mp3|aac|ogg|opus|flac "
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
    HttpStream http(options);

    log_.info("connecting to ", mask_url_password(cfg_.url));
    http.open(cfg_.url, stop);
    if (stop.stop_requested()) return;

    std::optional<IcyMetadataStripper> icy;
    if (const auto metaint_text = http.header("icy-metaint"); !metaint_text.empty()) {
        std::size_t metaint = 0;
        std::from_chars(metaint_text.data(), metaint_text.data() + metaint_text.size(), metaint);
        if (metaint > 0) {
            icy.emplace(metaint, [this](const std::string& title) {
                if (const auto line = titles_.changed(title, mono_now())) log_.info(*line);
                title_ = title;
                state_->update([&](SourceStatus& s) { s.stream_title = title; });
            });
        }
    }
    const auto name = http.header("icy-name");
    log_.info("connected to ", http.describe(), ": HTTP ", http.status(), ", Content-Type ",
              http.header("Content-Type").empty() ? "(none)" : http.header("Content-Type"),
              name.empty() ? "" : cat(", \"", to_utf8(name), "\""),
              icy ? cat(", ICY metadata every ", http.header("icy-metaint"), " bytes (stripped)") : "");

    std::vector<std::uint8_t> buffer(16384);
    std::vector<std::uint8_t> audio;
    std::vector<std::uint8_t> head; // the body's first bytes, until the format is known
    std::vector<std::uint8_t> body_start; // the body's first bytes, for messages
    std::uint64_t pushed = 0;
    std::uint64_t framed_bytes = 0;
    bool batching = false;
    std::vector<framing::Unit> units;
    // Whatever way the connection ends (end of stream, stop, stall, network error), the
    // complete frames received so far go to the file.
    try {
        while (!stop.stop_requested()) {
            const auto n = http.read_some(buffer, stop);
            if (n == 0) {
                if (!framer_ && !head.empty() && !stop.stop_requested()) {
                    choose_format(http, head); // a short non-audio body: explain it
                }
                if (const auto length = http.content_length(); length && !stop.stop_requested()) {
                    end_reason_ = cat("the server sent a finite body (Content-Length: ", *length,
                                      " bytes, ", fixed(media_seconds_, 1), " s of audio), a file rather "
                                      "than a live stream; it was recorded to its end");
                }
                break; // end of stream (or stop): the runner reconnects after retry_delay_seconds
            }
            const double arrival = mono_now();
            wall_minus_mono_ = wall_minus_mono();
            audio.clear();
            const auto received = std::span<const std::uint8_t>(buffer).first(n);
            if (icy) icy->process(received, audio);
            else audio.assign(received.begin(), received.end());
            if (body_start.size() < 64) {
                body_start.insert(body_start.end(), audio.begin(),
                                  audio.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(audio.size(), 64 - body_start.size())));
            }

            if (!framer_) {
                head.insert(head.end(), audio.begin(), audio.end());
                const bool decided = framing::sniff_format(head).has_value() || cfg_.format != "auto" ||
                                     (format_for_content_type(http.header("Content-Type")) && head.size() >= 4096);
                if (!decided && head.size() < kSniffLimit / 4) continue;
                const auto format = choose_format(http, head);
                framer_ = framing::make_framer(format);
                if (!framer_) throw SourceError(cat("unsupported format ", format));
                audio.swap(head);
            }
            framer_->push(audio);
            pushed += audio.size();
            if (!framer_->synced() && pushed > kSniffLimit) {
                throw SourceError(cat(http.describe(), ": no ", cfg_.format == "auto" ? "audio" : cfg_.format,
                                      " frames in the first ", kSniffLimit / 1024, " KiB of the body (it starts with ",
                                      describe_start(body_start), "); check the URL and format"));
            }
            units.clear();
            while (auto unit = framer_->next()) units.push_back(std::move(*unit));
            if (units.empty()) continue;
            if (!writer_ && !disk_->active() && audio_bytes_ == 0 && held_.empty()) {
                const auto info = framer_->info();
                state_->update([&](SourceStatus& s) {
                    s.format = framer_->extension().substr(1);
                    if (info.sample_rate > 0) s.sample_rate = info.sample_rate;
                    if (info.channels > 0) s.channels = info.channels;
                    s.input = http.describe();
                });
            }
            for (const auto& unit : units) framed_bytes += unit.bytes.size();
            deliver(units, arrival);
            if (!batching && media_framed_ >= 2.0) {
                // Icecast sends ~1.4 KB at a time; waking for half a second of audio instead
                // costs a fraction of the CPU. Arrival times stay exact for the clock, as the
                // wake-up comes with the newest byte, and even a very slow stream wakes us well
                // within the stall timeout.
                const auto half_second = static_cast<double>(framed_bytes) / media_framed_ / 2;
                http.wake_for(static_cast<int>(std::clamp(half_second, 1.0, 8192.0)));
                batching = true;
            }
            const double now = mono_now();
            if (now - last_tick_mono_ >= 1.0) every_second(now);
        }
    } catch (...) {
        finish_connection();
        throw;
    }
    finish_connection();
}

void StreamSession::finish_connection() {
    if (framer_) {
        // The last frame is known to be complete only now (a frame cut off by a broken
        // connection is dropped), and frames waiting for the clock to settle are written with
        // the clock as it is.
        std::vector<framing::Unit> tail;
        while (auto unit = framer_->flush()) tail.push_back(std::move(*unit));
        deliver(tail, mono_now(), true);
    }
    if (const auto line = titles_.flush(mono_now())) log_.info(*line);
    if (framer_ && framer_->skipped_bytes() > 0) {
        log_.debug(framer_->skipped_bytes(), " bytes were not part of a complete frame (joined mid-frame, "
                   "or cut off at the end) and were left out");
    }
    close_file();
    disk_->session_ended(media_seconds_);
    count_loss();
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

void StreamSession::count_loss() noexcept {
    const int rate = framer_ ? framer_->info().sample_rate : 0;
    state_->add_lost_seconds(disk_->take_lost(media_seconds_), rate);
}

void StreamSession::deliver(std::vector<framing::Unit>& units, double arrival, bool last) {
    for (const auto& unit : units) media_framed_ += unit.duration;
    if (!units.empty()) clock_.observe(media_framed_, arrival);
    if (!last && !clock_.settled(arrival) && held_bytes_ < kMaxHeldBytes) {
        for (auto& unit : units) {
            held_bytes_ += unit.bytes.size();
            held_.push_back(std::move(unit));
        }
        return;
    }
    for (auto& unit : held_) handle(unit);
    held_.clear();
    held_bytes_ = 0;
    for (auto& unit : units) handle(unit);
}

void StreamSession::handle(framing::Unit& unit) {
    if (unit.is_header) {
        // Mid-stream headers (a chained Ogg stream) belong to the file being written; the framer
        // also keeps them for the next file.
        if (writer_) {
            framer_->adapt(unit);
            try {
                writer_->write(unit.bytes, false);
            } catch (const std::exception& e) {
                write_failed(e);
            }
        }
        return;
    }
    const double start_media = media_seconds_;
    media_seconds_ += unit.duration;
    audio_bytes_ += unit.bytes.size();
    const double start_wall = clock_.mono_at(start_media) + wall_minus_mono_;

    // Cut at the frame boundary nearest to the split time.
    if (writer_ && unit.cut_ok && start_wall + unit.duration / 2 > next_boundary_utc_) {
        pending_boundary_ = next_boundary_utc_;
        close_file();
    }
    if (!writer_) {
        if (disk_->waiting(mono_now())) return; // dropped: the disk's gap measures it
        try {
            open_file(start_wall, start_media);
        } catch (const std::exception& e) {
            disk_->failed(e, start_media, log_);
            return;
        }
    }
    framer_->adapt(unit);
    try {
        writer_->write(unit.bytes, true, unit.duration);
    } catch (const std::exception& e) {
        write_failed(e);
    }
}

void StreamSession::open_file(double unit_wall, double unit_media) {
    double start = unit_wall;
    if (pending_boundary_ && std::abs(unit_wall - *pending_boundary_) < 2.0) start = *pending_boundary_;
    pending_boundary_.reset();
    auto created = namer_->create(start, framer_->extension());
    const auto relative = namer_->relative(created.path);
    auto writer = std::make_unique<ByteFileWriter>(std::move(created));
    writer->write(framer_->begin_file(), false);
    writer_ = std::move(writer);
    folder_.file_opened();
    file_relative_ = relative;
    file_first_media_ = unit_media;
    next_boundary_utc_ = namer_->next_boundary(start);
    disk_->resumed(unit_media);
    // While the disk fails, every retry opens a file: the summary names the one that works.
    if (disk_->active()) log_.debug("trying ", relative);
    else log_.info("recording to ", relative);
    state_->file_started(relative, namer_->timestamp(start), !disk_->active());
}

double StreamSession::close_file() noexcept {
    if (!writer_) return 0;
    const auto error = writer_->close();
    const auto kept = writer_->audio_seconds_flushed();
    const bool any = writer_->audio_bytes_flushed() > 0;
    const auto path = writer_->path();
    writer_.reset();
    if (any) state_->update([](SourceStatus& s) { ++s.files; });
    if (error) {
        // The last second of the file could not be written: as lost as any other write.
        disk_->failed(std::system_error(error, "write " + path.string()), file_first_media_ + kept, log_);
    }
    return kept;
}

void StreamSession::write_failed(const std::exception& e) {
    const auto first = file_first_media_;
    const auto kept = close_file();
    disk_->failed(e, first + kept, log_);
}

void StreamSession::file_deleted() {
    const auto seconds = media_seconds_ - file_first_media_;
    const auto message = folder_.deleted(file_relative_, seconds);
    (void)writer_->close(); // its name is gone: nothing is removed, and it counts as no file
    writer_.reset();
    state_->add_lost_seconds(seconds, framer_ ? framer_->info().sample_rate : 0);
    log_.error(message);
    state_->notice(message);
    state_->update([](SourceStatus& s) { s.file.reset(); });
}

void StreamSession::every_second(double now_mono) {
    last_tick_mono_ = now_mono;
    // Once a second, as cheap as the flush: a file whose name is gone takes audio nobody keeps.
    if (writer_ && writer_->deleted()) file_deleted();
    if (const auto line = titles_.tick(now_mono)) log_.info(*line);
    if (writer_) {
        // At most a second of audio waits in memory; every few seconds it is forced to disk.
        try {
            if (now_mono - last_sync_mono_ >= kSyncIntervalSeconds) {
                last_sync_mono_ = now_mono;
                writer_->sync();
            } else {
                writer_->flush();
            }
            // The episode ends once audio of the new file is on disk, not when it is opened.
            if (disk_->active() && !disk_->gap_open() && writer_->audio_bytes_flushed() > 0) {
                disk_->recovered(log_, file_relative_);
            }
        } catch (const std::exception& e) {
            write_failed(e);
        }
    }
    count_loss();
    const auto bytes = writer_ ? writer_->bytes() : 0;
    const auto kbps = media_seconds_ > 1 ? static_cast<double>(audio_bytes_) * 8 / media_seconds_ / 1000 : 0.0;
    state_->update([&](SourceStatus& s) {
        s.bytes = bytes;
        s.last_data = iso8601_now();
        if (kbps > 0) s.bitrate_kbps = kbps;
    });
}

} // namespace isr::rec
