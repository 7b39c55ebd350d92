#pragma once

#include "recorder/stream/framing/framer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace isr::rec::framing {

// The buffering and resynchronising shared by every format: the format says where a unit may
// start (probe) and how long the one at the head is; this class finds the first unit, cuts
// each unit where the next confirmed one starts, drops and counts what lies between them that
// is not part of the unit (junk), and keeps memory bounded when no sync is found.
class SyncFramer : public Framer {
public:
    void push(std::span<const std::uint8_t> bytes) override;
    std::optional<Unit> next() override;
    std::optional<Unit> flush() override;
    std::uint64_t skipped_bytes() const noexcept override { return skipped_; }
    std::uint64_t junk_bytes() const noexcept override { return junk_; }
    std::uint64_t resyncs() const noexcept override { return resyncs_; }
    std::size_t unframed_bytes() const noexcept override;
    std::span<const std::uint8_t> unframed() const noexcept override {
        const auto data = buffered();
        return data.subspan(data.size() - unframed_bytes());
    }
    std::vector<std::uint8_t> take_unframed() override;
    bool synced() const noexcept override { return synced_; }

protected:
    // Why probe() is asked, which says how much evidence it needs.
    enum class Mode {
        expected,   // where the unit at the head says the next one starts
        after_unit, // searching for the end of the unit at the head (garbage may follow it)
        fresh,      // looking for a unit with nothing before it to lean on
    };
    struct Probe {
        enum Result { no, wait, yes } result = no;
        std::size_t start = 0; // yes: where the next unit begins (after an ID3 tag, say)
    };
    static Probe reject() noexcept { return {Probe::no, 0}; }
    static Probe need_more() noexcept { return {Probe::wait, 0}; }
    static Probe accept(std::size_t start) noexcept { return {Probe::yes, start}; }

    // Whether a unit confidently starts at `pos` of buffered(); `wait` when that depends on
    // bytes not received yet. Called only with probe_bytes() available at pos.
    virtual Probe probe(std::size_t pos, Mode mode) = 0;
    // Bytes that must be buffered at a position before probing it.
    virtual std::size_t probe_bytes() const noexcept = 0;
    // Cheap filter on a candidate position's first byte.
    virtual bool may_start(std::uint8_t first) const noexcept = 0;
    // Length of the unit at the head when its header gives it (nullopt: found by scanning).
    virtual std::optional<std::size_t> head_length() = 0;
    // The bytes of the head that belong to its unit, when the next unit (or the end of the
    // data) is at `end`: the rest is junk. 0 when the head is no whole unit (a frame the next
    // one starts inside of). By default head_length(), or everything when it is not known.
    virtual std::size_t unit_size(std::size_t end) {
        if (!head_length_known_) {
            head_length_ = head_length();
            head_length_known_ = true;
        }
        if (!head_length_)
            return end;
        return *head_length_ <= end ? *head_length_ : 0;
    }
    // Where to resume scanning when the unit that the head's length points to is not valid.
    // From just after the head's start by default, which also recovers from a truncated frame.
    virtual std::size_t resync_start(std::size_t head_len) const noexcept {
        (void)head_len;
        return 1;
    }
    // At the end of the stream, for a head whose length its header does not give: whether
    // `rest` (everything left) is one whole unit.
    virtual bool whole_at_end(std::span<const std::uint8_t> rest) {
        (void)rest;
        return false;
    }
    // Bytes at `pos`, before the first unit, that are skipped whole (an ID3 tag); 0 for none.
    virtual std::size_t skippable(std::size_t pos) {
        (void)pos;
        return 0;
    }
    // Fills in duration, is_header and cut_ok of a unit that starts with a frame or page.
    virtual void describe(Unit& unit) = 0;
    // Whether a whole, described unit can be used at all: an Ogg page of a stream whose header
    // pages were lost cannot be decoded, and is junk.
    virtual bool usable(const Unit& unit) const {
        (void)unit;
        return true;
    }
    // A new unit is at the head: forget per-unit scanning state.
    virtual void on_new_head() {}
    // Past this many bytes of unresolved scanning, the bytes ruled out so far are emitted as a
    // unit anyway, so that memory stays bounded on a stream that lost its framing.
    virtual std::size_t max_scan_bytes() const noexcept { return 64 * 1024; }

    std::span<const std::uint8_t> buffered() const noexcept {
        return {buf_.data() + begin_, buf_.size() - begin_};
    }
    // False while the head is garbage emitted in pieces after a long loss of sync.
    bool head_is_unit() const noexcept { return head_is_unit_; }

private:
    bool find_first();
    std::optional<Unit> find_next();
    // Cuts the head at `end`: its unit, or nothing when it was junk.
    std::optional<Unit> cut(std::size_t end, bool next_is_unit);
    void drop(std::size_t n, bool skipped);
    void new_head(bool is_unit);

    std::vector<std::uint8_t> buf_;
    std::size_t begin_ = 0; // consumed prefix of buf_, erased lazily
    std::uint64_t skipped_ = 0;
    std::uint64_t junk_ = 0;
    std::uint64_t resyncs_ = 0;
    bool in_junk_ = false;           // junk was dropped since the last unit
    std::uint64_t skip_pending_ = 0; // rest of a leading ID3 tag not received yet
    bool synced_ = false;
    bool head_is_unit_ = false;
    bool expected_checked_ = false; // the position head_length() points to was probed

protected:
    bool head_length_known_ = false;
    std::optional<std::size_t> head_length_;

private:
    std::size_t scan_pos_ = 0; // positions before it were ruled out for this head
};

} // namespace isr::rec::framing
