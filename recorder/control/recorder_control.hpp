#pragma once

#include "common/config.hpp"
#include "common/log.hpp"
#include "common/status_file.hpp"
#include "recorder/control/control_handler.hpp"
#include "recorder/hooks/hook_runner.hpp"
#include "recorder/replay/replay.hpp"
#include "recorder/source_runner.hpp"
#include "recorder/source_state.hpp"

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace isr::rec {

// isrd's answers to the control socket: saves from the replay rings (each on a thread of its
// own, so that a save waiting for post_seconds holds up nothing), status, the sources, pause
// and resume, quit. Commands arrive on the control server's thread.
class RecorderControl final : public ControlHandler {
public:
    struct Source {
        const SourceConfig* cfg = nullptr;
        SourceRunner* runner = nullptr; // null for a disabled source
        std::shared_ptr<Replay> replay; // null without a ring
    };
    // `status`: the status as status.json has it. `quit`: asks isrd to stop (called once the
    // reply is on its way). `root`: the recordings folder, that reply paths are relative to.
    // `hooks`: runs on_save (null: on_save is not run).
    RecorderControl(std::vector<Source> sources, std::filesystem::path root,
                    std::function<Status()> status, std::function<void()> quit,
                    std::shared_ptr<HookRunner> hooks = nullptr);
    // Abandons the saves still waiting and joins their threads.
    ~RecorderControl() override;

    void handle(const Command& command, ReplyFn reply) override;

    // Saves running at once; more are refused with a sentence.
    static constexpr std::size_t kMaxSaves = 8;

private:
    void save(const SaveCommand& command, ReplyFn reply);
    void pause_or_resume(const std::optional<std::string>& source, bool pause, ReplyFn reply);
    const Source* find(const std::string& name) const;
    // Throws a sentence listing the sources when there is none of that name.
    const Source& source_named(const std::string& name) const;
    std::string names(bool with_ring_only) const;
    // Queues the source's on_save command on the hook runner, with the path, source, label and
    // seconds appended.
    void notify(const Source& source, const SavedClip& clip, const std::string& label) const;

    std::vector<Source> sources_;
    std::filesystem::path root_;
    std::function<Status()> status_;
    std::function<void()> quit_;
    std::shared_ptr<HookRunner> hooks_;
    Logger log_{"control"};

    struct Job {
        std::jthread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::mutex jobs_mutex_;
    std::list<Job> jobs_;
};

} // namespace isr::rec
