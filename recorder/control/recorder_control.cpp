#include "recorder/control/recorder_control.hpp"

#include "common/strings.hpp"
#include "common/time_format.hpp"
#include "common/time_zone.hpp"

#include <cmath>

namespace isr::rec {

RecorderControl::RecorderControl(std::vector<Source> sources, std::filesystem::path root,
                                 std::function<Status()> status, std::function<void()> quit,
                                 std::shared_ptr<HookRunner> hooks)
    : sources_(std::move(sources)), root_(std::move(root)), status_(std::move(status)),
      quit_(std::move(quit)), hooks_(std::move(hooks)) {}

RecorderControl::~RecorderControl() {
    std::list<Job> jobs;
    {
        std::lock_guard lock(jobs_mutex_);
        jobs.swap(jobs_);
    }
    for (auto& job : jobs)
        job.thread.request_stop();
    // jthreads join here; a save waiting for post_seconds sees the stop and replies so.
}

std::string RecorderControl::names(bool with_ring_only) const {
    std::vector<std::string> out;
    for (const auto& s : sources_)
        if (!with_ring_only || s.replay)
            out.push_back(s.cfg->name);
    return out.empty() ? std::string("none") : join(out, ", ");
}

const RecorderControl::Source* RecorderControl::find(const std::string& name) const {
    for (const auto& s : sources_)
        if (s.cfg->name == name)
            return &s;
    return nullptr;
}

const RecorderControl::Source& RecorderControl::source_named(const std::string& name) const {
    if (const auto* s = find(name))
        return *s;
    throw std::runtime_error(
        cat("there is no source named \"", printable(name), "\"; the sources are: ", names(false)));
}

void RecorderControl::handle(const Command& command, ReplyFn reply) {
    if (const auto* save_cmd = std::get_if<SaveCommand>(&command)) {
        save(*save_cmd, std::move(reply));
    } else if (std::holds_alternative<StatusCommand>(command)) {
        // What matters at a glance, one row per source; status.json has every field.
        const auto status = status_();
        reply(Reply::success([&](JsonWriter& w) {
            w.key("pid").value(status.pid);
            w.key("sources").begin_array();
            for (const auto& s : status.sources) {
                const auto* source = find(s.name);
                w.begin_object();
                w.key("name").value(s.name);
                w.key("state").value(to_string(s.state));
                w.key("file").value(s.file);
                w.key("level_dbfs").value(s.level_dbfs);
                w.key("lost_seconds").value(s.lost_seconds);
                w.key("replay_held_seconds")
                    .value(source && source->replay ? source->replay->seconds_held() : 0.0);
                w.key("error").value(s.error);
                w.end_object();
            }
            w.end_array();
        }));
    } else if (std::holds_alternative<SourcesCommand>(command)) {
        reply(Reply::success([&](JsonWriter& w) {
            w.key("sources").begin_array();
            for (const auto& s : sources_) {
                w.begin_object();
                w.key("name").value(s.cfg->name);
                w.key("type").value(to_string(s.cfg->type));
                w.key("enabled").value(s.cfg->enabled);
                w.key("record").value(s.cfg->record);
                w.key("paused").value(s.runner && s.runner->paused());
                w.key("replay_seconds").value(s.replay ? s.replay->capacity_seconds() : 0.0);
                w.key("replay_held_seconds").value(s.replay ? s.replay->seconds_held() : 0.0);
                w.end_object();
            }
            w.end_array();
        }));
    } else if (const auto* pause_cmd = std::get_if<PauseCommand>(&command)) {
        pause_or_resume(pause_cmd->source, true, std::move(reply));
    } else if (const auto* resume_cmd = std::get_if<ResumeCommand>(&command)) {
        pause_or_resume(resume_cmd->source, false, std::move(reply));
    } else if (std::holds_alternative<QuitCommand>(command)) {
        log_.info("quit requested through the control socket");
        reply(Reply::success([](JsonWriter& w) { w.key("stopping").value(true); }));
        quit_();
    }
}

void RecorderControl::pause_or_resume(const std::optional<std::string>& source, bool pause,
                                      ReplyFn reply) {
    std::vector<const Source*> targets;
    if (source) {
        const auto& s = source_named(*source);
        if (!s.runner)
            throw std::runtime_error(cat(s.cfg->name, " is disabled (enabled = no)"));
        targets.push_back(&s);
    } else {
        for (const auto& s : sources_)
            if (s.runner)
                targets.push_back(&s);
    }
    std::vector<std::string> changed;
    for (const auto* s : targets)
        if (pause ? s->runner->pause() : s->runner->resume())
            changed.push_back(s->cfg->name);
    reply(Reply::success([&](JsonWriter& w) {
        w.key(pause ? "paused" : "resumed").begin_array();
        for (const auto& name : changed)
            w.value(name);
        w.end_array();
    }));
}

void RecorderControl::save(const SaveCommand& command, ReplyFn reply) {
    const Source* source = nullptr;
    if (command.source) {
        source = &source_named(*command.source);
        if (!source->replay) {
            throw std::runtime_error(cat(source->cfg->name,
                                         " keeps no replay ring: set replay_seconds in its "
                                         "section (sources with one: ",
                                         names(true), ")"));
        }
    } else {
        std::vector<const Source*> rings;
        for (const auto& s : sources_)
            if (s.replay && s.runner)
                rings.push_back(&s);
        if (rings.size() != 1) {
            throw std::runtime_error(
                rings.empty() ? std::string("no source keeps a replay ring: set replay_seconds "
                                            "in a source's section")
                              : cat("say which source to save (\"source\"): ", names(true)));
        }
        source = rings.front();
    }
    if (command.seconds && *command.seconds > source->replay->capacity_seconds() + 1e-9) {
        throw std::runtime_error(cat(source->cfg->name, " keeps only the last ",
                                     fixed(source->replay->capacity_seconds(), 1),
                                     " s (replay_seconds); asked for ", fixed(*command.seconds, 1),
                                     " s"));
    }
    SaveOptions options;
    options.seconds = command.seconds;
    options.label = command.label.value_or("");
    options.post_seconds = command.post_seconds;
    options.since_last = command.since_last;

    std::lock_guard lock(jobs_mutex_);
    jobs_.remove_if([](const Job& job) { return job.done->load(); });
    if (jobs_.size() >= kMaxSaves) {
        throw std::runtime_error(cat(kMaxSaves, " saves are in progress; try again when one "
                                                "has finished"));
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    auto job = [this, source, options, reply = std::move(reply), done](std::stop_token stop) {
        try {
            const auto clip = source->replay->save(options, stop);
            const auto relative = relative_to(clip.path, root_);
            const auto zone = TimeZone::locate(source->cfg->timezone);
            const auto start =
                iso8601(static_cast<std::int64_t>(std::floor(clip.start_utc)), *zone);
            log_.info("saved ", fixed(clip.seconds, 1), " s of ", source->cfg->name, " to ",
                      relative);
            reply(Reply::success([&](JsonWriter& w) {
                w.key("source").value(source->cfg->name);
                w.key("path").value(relative);
                w.key("seconds").value(clip.seconds);
                w.key("start").value(start);
                w.key("label").value(options.label);
            }));
            notify(*source, clip, options.label);
        } catch (const std::exception& e) {
            log_.warning("save of ", source->cfg->name, " failed: ", e.what());
            reply(Reply::failure(e.what()));
        }
        *done = true;
    };
    jobs_.push_back({std::jthread(std::move(job)), done});
}

void RecorderControl::notify(const Source& source, const SavedClip& clip,
                             const std::string& label) const {
    const auto& command = source.cfg->on_save;
    if (command.empty() || !hooks_)
        return;
    HookJob job{"on_save", source.cfg->name, command, source.cfg->hook_timeout_seconds};
    job.argv.push_back(clip.path.string());
    job.argv.push_back(source.cfg->name);
    job.argv.push_back(label);
    job.argv.push_back(std::to_string(std::llround(clip.seconds)));
    hooks_->run(std::move(job));
}

} // namespace isr::rec
