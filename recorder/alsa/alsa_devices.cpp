#include "recorder/alsa/alsa_devices.hpp"

#include "common/strings.hpp"
#include "common/unique_handle.hpp"
#include "recorder/source.hpp"

#include <alsa/asoundlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

namespace isr::rec {

namespace {

using CtlHandle = UniqueHandle<snd_ctl_t, &snd_ctl_close>;

std::string hint_field(void* hint, const char* id) {
    char* value = snd_device_name_get_hint(hint, id);
    if (!value)
        return {};
    std::string out(value);
    std::free(value); // alsa-lib hands out malloc'ed strings
    return out;
}

bool pcm_defined_in_config(const std::string& name) {
    snd_config_t* top = nullptr;
    if (snd_config_update_ref(&top) < 0 || !top)
        return false;
    snd_config_t* node = nullptr;
    const bool found = snd_config_search(top, ("pcm." + name).c_str(), &node) >= 0;
    snd_config_unref(top);
    return found;
}

} // namespace

std::string AlsaCaptureDevice::hw() const {
    return cat("hw:", card, ',', device);
}

std::vector<AlsaCaptureDevice> list_capture_hardware() {
    std::vector<AlsaCaptureDevice> out;
    int card = -1;
    while (snd_card_next(&card) >= 0 && card >= 0) {
        snd_ctl_t* raw = nullptr;
        if (snd_ctl_open(&raw, cat("hw:", card).c_str(), 0) < 0)
            continue;
        CtlHandle ctl(raw);
        snd_ctl_card_info_t* info = nullptr;
        snd_ctl_card_info_alloca(&info);
        if (snd_ctl_card_info(ctl.get(), info) < 0)
            continue;
        int device = -1;
        while (snd_ctl_pcm_next_device(ctl.get(), &device) >= 0 && device >= 0) {
            snd_pcm_info_t* pcm_info = nullptr;
            snd_pcm_info_alloca(&pcm_info);
            snd_pcm_info_set_device(pcm_info, static_cast<unsigned>(device));
            snd_pcm_info_set_subdevice(pcm_info, 0);
            snd_pcm_info_set_stream(pcm_info, SND_PCM_STREAM_CAPTURE);
            if (snd_ctl_pcm_info(ctl.get(), pcm_info) < 0)
                continue; // playback only
            out.push_back({card, device, snd_ctl_card_info_get_id(info),
                           snd_ctl_card_info_get_name(info), snd_pcm_info_get_name(pcm_info)});
        }
    }
    return out;
}

namespace {
void free_hints(void** hints) noexcept {
    snd_device_name_free_hint(hints);
}
using DeviceHints = UniqueHandle<void*, &free_hints>;
} // namespace

std::vector<AlsaNamedPcm> list_capture_pcms() {
    std::vector<AlsaNamedPcm> out;
    void** raw = nullptr;
    if (snd_device_name_hint(-1, "pcm", &raw) < 0 || !raw)
        return out;
    const DeviceHints hints(raw); // freed however the loop ends (push_back may throw)
    for (void** h = hints.get(); *h; ++h) {
        const auto io = hint_field(*h, "IOID");
        if (io == "Output")
            continue;
        auto name = hint_field(*h, "NAME");
        if (name.empty() || name == "null")
            continue;
        auto desc = hint_field(*h, "DESC");
        std::replace(desc.begin(), desc.end(), '\n', ' ');
        out.push_back({std::move(name), std::move(desc)});
    }
    return out;
}

std::string describe_capture_devices() {
    std::string out;
    const auto hardware = list_capture_hardware();
    out += "Sound cards with capture devices (device = hw:X,Y; plughw:X,Y converts rate and "
           "format):\n";
    if (hardware.empty())
        out += "  (none found: no sound card, or no permission to /dev/snd)\n";
    for (const auto& d : hardware) {
        out += cat("  ", d.hw(), "  ", d.card_name, ": ", d.device_name, "  (card id ", d.card_id,
                   ", also plughw:", d.card, ',', d.device, ")\n");
    }
    const auto pcms = list_capture_pcms();
    out += "\nCapture PCMs from the ALSA configuration (device = NAME):\n";
    if (pcms.empty())
        out += "  (none)\n";
    for (const auto& p : pcms)
        out += cat("  ", p.name, p.description.empty() ? "" : "  ", p.description, "\n");
    out += "\nA PCM defined in /etc/asound.conf or ~/.asoundrc (such as shared_mic) also works\n"
           "without a hint; so does part of a card's name (device = usb).\n";
    return out;
}

std::string resolve_capture_device(const std::string& spec, std::string* matched) {
    if (spec == "default" || spec.find(':') != std::string::npos)
        return spec;
    if (pcm_defined_in_config(spec))
        return spec;
    for (const auto& p : list_capture_pcms()) {
        if (p.name == spec)
            return spec;
    }
    for (const auto& d : list_capture_hardware()) {
        if (icontains(d.card_name, spec) || icontains(d.card_id, spec) ||
            icontains(d.device_name, spec)) {
            if (matched)
                *matched = cat(d.card_name, ": ", d.device_name);
            return d.hw();
        }
    }
    throw SourceError(cat("no ALSA capture device matches device = ", spec,
                          ": it is not a PCM in the ALSA configuration nor part of a sound card's "
                          "name; run `isrd --list-devices` to see what to put there"));
}

std::vector<std::string> capture_device_holders(std::optional<int> card,
                                                std::optional<int> device) {
    std::vector<std::string> out;
    const std::regex node(R"(/dev/snd/pcmC(\d+)D(\d+)c)");
    std::error_code ec;
    for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
        const auto pid = proc.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::error_code fd_ec;
        for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fd", fd_ec)) {
            std::error_code link_ec;
            const auto target = std::filesystem::read_symlink(fd.path(), link_ec).string();
            std::smatch m;
            if (link_ec || !std::regex_match(target, m, node))
                continue;
            if (card && std::stoi(m[1]) != *card)
                continue;
            if (device && std::stoi(m[2]) != *device)
                continue;
            std::string comm;
            std::getline(std::ifstream(proc.path() / "comm"), comm);
            out.push_back(cat("pid ", pid, " (", comm, ") holds ", target));
            break;
        }
    }
    return out;
}

} // namespace isr::rec
