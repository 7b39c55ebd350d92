#include "recorder/alsa/alsa_error.hpp"

#include <alsa/asoundlib.h>

namespace isr::rec {

namespace {
class AlsaCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "alsa"; }
    std::string message(int code) const override { return snd_strerror(-code); }
    std::error_condition default_error_condition(int code) const noexcept override {
        return {code, std::generic_category()}; // alsa-lib's codes are errno values
    }
};
} // namespace

const std::error_category& alsa_category() noexcept {
    static const AlsaCategory category;
    return category;
}

} // namespace isr::rec
