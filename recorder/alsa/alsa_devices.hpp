#pragma once

#include <optional>
#include <string>
#include <vector>

namespace isr::rec {

// A hardware capture device: card X, device Y.
struct AlsaCaptureDevice {
    int card = 0;
    int device = 0;
    std::string card_id;   // "PCH", "Device"
    std::string card_name; // "HDA Intel PCH"
    std::string device_name;
    std::string hw() const; // "hw:X,Y"
};

// A PCM from the ALSA configuration (asound.conf, plugins) usable for capture.
struct AlsaNamedPcm {
    std::string name;        // what goes into `device =`
    std::string description; // from its hint
};

std::vector<AlsaCaptureDevice> list_capture_hardware();
std::vector<AlsaNamedPcm> list_capture_pcms();

// The text of `isrd --list-devices`.
std::string describe_capture_devices();

// Turns a `device =` value into an ALSA PCM name: "default", anything with ':' (hw:X,Y,
// plughw:X,Y, dsnoop:…), a PCM defined in the ALSA configuration (even one that no hint lists),
// or a case-insensitive part of a card or device name (-> hw:X,Y). Throws SourceError naming
// the value and how to find the right one.
std::string resolve_capture_device(const std::string& spec, std::string* matched_description);

// Processes holding capture devices open: "pid 812 (darkice) holds /dev/snd/pcmC1D0c". When
// `card`/`device` are given, only that device's node counts.
std::vector<std::string> capture_device_holders(std::optional<int> card, std::optional<int> device);

} // namespace isr::rec
