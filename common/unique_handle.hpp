#pragma once

#include <memory>

namespace isr {

// Deleter that calls a C library's close function, skipping null handles.
template <auto Close> struct CloseWith {
    template <class T> void operator()(T* p) const noexcept {
        if (p)
            Close(p);
    }
};

// Owning smart pointer for a C handle: UniqueHandle<snd_pcm_t, &snd_pcm_close>.
template <class T, auto Close> using UniqueHandle = std::unique_ptr<T, CloseWith<Close>>;

} // namespace isr
