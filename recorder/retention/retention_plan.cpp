#include "recorder/retention/retention_plan.hpp"

#include "common/strings.hpp"

#include <algorithm>
#include <cmath>

namespace isr::rec {

namespace {

std::string gb(std::uint64_t bytes) {
    return cat(fixed(static_cast<double>(bytes) / 1e9, 2), " GB");
}

std::string number(double x) {
    return x == std::floor(x) ? std::to_string(static_cast<long long>(x)) : fixed(x, 2);
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
    return cat(
        fixed(whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0, 1),
        " %");
}

// What is left that retention may not delete, for messages ("2 kept files (1.20 GB), the file
// being written").
std::string held_back(std::size_t kept, std::uint64_t kept_bytes, bool active) {
    std::vector<std::string> parts;
    if (kept) {
        parts.push_back(cat(kept, " kept file", kept == 1 ? "" : "s", " (", gb(kept_bytes),
                            ", protect or .keep)"));
    }
    if (active)
        parts.push_back("the file being written");
    return parts.empty() ? "nothing" : join(parts, " and ");
}

} // namespace

std::uint64_t required_free_bytes(const DiskGuard& guard, std::uint64_t total) noexcept {
    const auto by_percent = static_cast<std::uint64_t>(
        std::ceil(static_cast<double>(total) * guard.min_free_percent / 100.0));
    return std::max(by_percent, guard.min_free_bytes);
}

RetentionPlan plan_retention(const RetentionInput& in) {
    RetentionPlan plan;
    std::vector<bool> gone(in.files.size(), false);
    const auto busy = [&](const RetentionCandidate& f) {
        return in.active.count(f.name) > 0 || f.mtime > in.now - in.idle_seconds;
    };
    // Why the files in scope that are left cannot go: kept ones, and the one being written.
    const auto what_remains = [&](const auto& in_scope) {
        std::size_t kept = 0;
        std::uint64_t kept_bytes = 0;
        bool active = false;
        for (std::size_t i = 0; i < in.files.size(); ++i) {
            const auto& f = in.files[i];
            if (!in_scope(f) || gone[i])
                continue;
            if (busy(f)) {
                active = true;
            } else if (f.kept) {
                ++kept;
                kept_bytes += f.bytes;
            }
        }
        return held_back(kept, kept_bytes, active);
    };
    const auto deletable = [&](std::size_t i) {
        return !gone[i] && !in.files[i].kept && !busy(in.files[i]);
    };
    const auto remove = [&](std::size_t i, std::string reason) {
        gone[i] = true;
        plan.deletions.push_back({i, std::move(reason)});
    };

    std::vector<std::size_t> oldest_first(in.files.size());
    for (std::size_t i = 0; i < oldest_first.size(); ++i)
        oldest_first[i] = i;
    std::sort(oldest_first.begin(), oldest_first.end(), [&](std::size_t a, std::size_t b) {
        const auto& fa = in.files[a];
        const auto& fb = in.files[b];
        return fa.start != fb.start ? fa.start < fb.start : fa.name < fb.name;
    });

    // 1. Age.
    for (const auto i : oldest_first) {
        const auto& f = in.files[i];
        if (f.source >= in.sources.size())
            continue;
        const auto days = in.sources[f.source].max_age_days;
        if (days > 0 && deletable(i) && static_cast<double>(in.now - f.start) > days * 86400.0) {
            remove(i, cat("older than ", number(days), " day", days == 1 ? "" : "s"));
        }
    }

    // 2. Size per source.
    for (std::size_t s = 0; s < in.sources.size(); ++s) {
        const auto& limits = in.sources[s];
        if (limits.max_bytes == 0)
            continue;
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < in.files.size(); ++i) {
            if (in.files[i].source == s && !gone[i])
                total += in.files[i].bytes;
        }
        const auto before = total;
        for (const auto i : oldest_first) {
            if (total <= limits.max_bytes)
                break;
            if (in.files[i].source != s || !deletable(i))
                continue;
            total -= in.files[i].bytes;
            remove(i,
                   cat(limits.source, " above retention_max_gb = ",
                       number(static_cast<double>(limits.max_bytes) / 1e9), " (", gb(before), ")"));
        }
        if (total > limits.max_bytes) {
            plan.unmet.emplace_back(
                limits.source,
                cat(limits.source, "'s recordings take ", gb(total), ", above retention_max_gb = ",
                    number(static_cast<double>(limits.max_bytes) / 1e9),
                    ", and what is left may not be deleted: ",
                    what_remains([&](const RetentionCandidate& f) { return f.source == s; })));
        }
    }

    // 3. Free space across sources.
    if (!in.disk || !in.guard.enabled())
        return plan;
    const auto need = required_free_bytes(in.guard, in.disk->total);
    std::uint64_t available = in.disk->available;
    for (const auto& d : plan.deletions) {
        if (in.files[d.file].on_guarded_disk)
            available += in.files[d.file].allocated;
    }
    const auto why = [&] {
        return in.guard.min_free_percent > 0 && need > in.guard.min_free_bytes
                   ? cat("min_free_percent = ", number(in.guard.min_free_percent))
                   : cat("min_free_gb = ",
                         number(static_cast<double>(in.guard.min_free_bytes) / 1e9));
    };
    const auto reason =
        cat("free space below ", why(), " (", percent(available, in.disk->total), " free)");
    for (const auto i : oldest_first) {
        if (available >= need)
            break;
        if (!in.files[i].on_guarded_disk || !deletable(i))
            continue;
        available += in.files[i].allocated;
        remove(i, reason);
    }
    if (available < need) {
        plan.disk_low =
            cat("only ", gb(available), " (", percent(available, in.disk->total), ") free, below ",
                why(),
                ", and no recording may be deleted: what is "
                "left is ",
                what_remains([](const RetentionCandidate& f) { return f.on_guarded_disk; }));
    }
    return plan;
}

} // namespace isr::rec
