/*
 * isrtest: a test-only alsa-lib capture PCM (ioplug) for isr's integration tests.
 *
 * It serves a counter signal paced by CLOCK_MONOTONIC, so tests can run alsa-lib's
 * real capture path (open, hw_params, snd_pcm_wait, readi, recover) without a sound
 * card, check every sample, and inject faults (busy, gone, xrun, stall) through a
 * control file.  See README.md next to this file for the parameters and commands.
 */
#define _GNU_SOURCE
/* alsa/global.h only emits the dlsym version symbol of a dlopen()ed plugin under PIC. */
#ifndef PIC
#define PIC
#endif
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000LL
/*
 * Frames appear in bursts every millisecond, as from a USB card.  A position that
 * moved every frame would let a non-blocking readi() of a large buffer chase the
 * producer frame by frame (at speed 20 it never catches up) instead of returning.
 */
#define TICK_NS 1000000LL
/* Pollers learn of control changes through inotify; other readers this often. */
#define CONTROL_POLL_NS (20 * 1000000LL)
#define CONTROL_VAR "ISRTEST_CONTROL_DIR"
#define CONTROL_PREFIX "$" CONTROL_VAR

struct control_cmds {
    bool busy, gone, stall, has_xrun;
    long xrun_id;
};

typedef struct {
    snd_pcm_ioplug_t io;
    snd_pcm_format_t format;
    unsigned int channels, rate;
    long double fps; /* frames per second of wall time: rate * speed */
    char* control_path;
    int timer_fd;
    int inotify_fd;   /* watches the control file's directory; -1 if unavailable */
    int64_t armed_ns; /* the timer's pending expiry, to skip redundant re-arming; 0: none */
    snd_pcm_uframes_t avail_min;

    struct control_cmds cmd;
    bool ctl_exists;
    struct stat ctl_stat;
    int64_t ctl_checked_ns;
    bool xrun_seen_valid, xrun_pending;
    long xrun_seen;

    /* The counter's clock: frame = (now - t0) * fps + skip, frozen while stalled. */
    bool clock_started, stalled;
    int64_t t0_ns, stall_since_ns, skip_frames;
    int64_t freeze_until_ns; /* an injected xrun: nothing is delivered until then */
    bool running;
    int64_t start_frame; /* counter frame at the last start: hw pointer 0 */
    int64_t last_hw;     /* frames since the last start, as last reported */
} isrtest_t;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Frames produced in the first ns nanoseconds of (unstalled) running time. */
static int64_t frames_in(const isrtest_t* st, int64_t ns) {
    ns -= ns % TICK_NS;
    return (int64_t)floorl((long double)ns * st->fps / NS_PER_SEC);
}

static int64_t clock_frames(const isrtest_t* st, int64_t now) {
    if (!st->clock_started)
        return 0;
    int64_t ns = (st->stalled ? st->stall_since_ns : now) - st->t0_ns;
    return frames_in(st, ns > 0 ? ns : 0) + st->skip_frames;
}

/* Inverse of clock_frames(): the first instant at which the counter reaches frame. */
static int64_t frame_time_ns(const isrtest_t* st, int64_t frame) {
    int64_t rel = frame - st->skip_frames;
    if (rel <= 0)
        return st->t0_ns;
    int64_t ns = (int64_t)ceill((long double)rel * NS_PER_SEC / st->fps);
    ns += (TICK_NS - ns % TICK_NS) % TICK_NS;
    /* Rounding must never wake the reader a tick early: that would spin until it passes. */
    while (frames_in(st, ns) < rel)
        ns += TICK_NS;
    return st->t0_ns + ns;
}

static struct control_cmds parse_control(char* text) {
    struct control_cmds c = {0};
    char* save = NULL;
    for (char* tok = strtok_r(text, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (strcmp(tok, "busy") == 0) {
            c.busy = true;
        } else if (strcmp(tok, "gone") == 0) {
            c.gone = true;
        } else if (strcmp(tok, "stall") == 0) {
            c.stall = true;
        } else if (strcmp(tok, "xrun") == 0) {
            char* arg = strtok_r(NULL, " \t\r\n", &save);
            char* end = NULL;
            long id = arg ? strtol(arg, &end, 10) : 0;
            if (arg && *end == '\0' && !c.has_xrun) { /* the first id wins */
                c.has_xrun = true;
                c.xrun_id = id;
            }
            if (!arg)
                break;
        }
    }
    return c;
}

/*
 * Re-reads the control file when it changed (rate-limited unless forced) and applies
 * the transitions that need a timestamp: stall begin/end and a new xrun id.
 * baseline: the xrun id found now counts as already served (used at open, so a file
 * left over from an earlier run does not inject into a fresh PCM).
 */
static void check_control(isrtest_t* st, bool force, bool baseline) {
    if (!st->control_path)
        return;
    int64_t now = now_ns();
    if (!force && now - st->ctl_checked_ns < CONTROL_POLL_NS)
        return;
    st->ctl_checked_ns = now;

    struct stat sb;
    bool exists = stat(st->control_path, &sb) == 0;
    bool changed =
        exists != st->ctl_exists ||
        (exists && (sb.st_ino != st->ctl_stat.st_ino || sb.st_size != st->ctl_stat.st_size ||
                    sb.st_mtim.tv_sec != st->ctl_stat.st_mtim.tv_sec ||
                    sb.st_mtim.tv_nsec != st->ctl_stat.st_mtim.tv_nsec));
    if (!changed && !force)
        return;
    st->ctl_exists = exists;
    if (exists)
        st->ctl_stat = sb;

    char text[4096] = "";
    int fd = exists ? open(st->control_path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        ssize_t n = read(fd, text, sizeof text - 1);
        text[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    st->cmd = parse_control(text);

    if (st->cmd.stall && !st->stalled) {
        st->stalled = true;
        st->stall_since_ns = now;
    } else if (!st->cmd.stall && st->stalled) {
        /* Frames not produced during a stall are not lost: move the origin instead. */
        if (st->clock_started)
            st->t0_ns += now - st->stall_since_ns;
        st->stalled = false;
    }
    if (st->cmd.has_xrun && (!st->xrun_seen_valid || st->cmd.xrun_id != st->xrun_seen)) {
        st->xrun_seen_valid = true;
        st->xrun_seen = st->cmd.xrun_id;
        st->xrun_pending = !baseline;
    }
}

static bool in_error_state(const isrtest_t* st) {
    return st->io.state == SND_PCM_STATE_XRUN || st->io.state == SND_PCM_STATE_DISCONNECTED;
}

/*
 * Arms the one-shot timerfd for the moment the reader's wait should end: when
 * avail_min frames beyond appl are available, or at once for an error to report.
 * No periodic wake-ups: snd_pcm_wait() restarts its full timeout after every
 * wake-up that reports nothing, so a stalled stream must leave the fd silent for
 * the caller's timeout to expire (control changes arrive through inotify instead).
 */
static void arm_timer(isrtest_t* st, snd_pcm_uframes_t appl) {
    int64_t now = now_ns();
    int64_t when = INT64_MAX;
    if (in_error_state(st) || (st->running && (st->cmd.gone || st->xrun_pending)))
        when = now;
    else if (st->running && now < st->freeze_until_ns)
        when = st->freeze_until_ns;
    else if (st->running && !st->stalled)
        when = frame_time_ns(st, st->start_frame + (int64_t)(appl + st->avail_min));

    if (when == INT64_MAX)
        when = 0;
    else if (when <= now)
        when = now + 1; /* an absolute time in the past fires immediately */
    if (when == st->armed_ns)
        return;
    struct itimerspec its = {0}; /* all zero disarms */
    its.it_value.tv_sec = when / NS_PER_SEC;
    its.it_value.tv_nsec = when % NS_PER_SEC;
    timerfd_settime(st->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
    st->armed_ns = when;
}

static void disarm_timer(isrtest_t* st) {
    struct itimerspec its = {0};
    timerfd_settime(st->timer_fd, 0, &its, NULL);
    st->armed_ns = 0;
}

/* The position in the buffer ioplug wants (status() may ask before hw_params). */
static snd_pcm_sframes_t position(const snd_pcm_ioplug_t* io, int64_t hw) {
    return io->buffer_size ? (snd_pcm_sframes_t)((snd_pcm_uframes_t)hw % io->buffer_size) : 0;
}

/* Called under the PCM lock; a negative return makes ioplug enter XRUN. */
static snd_pcm_sframes_t isrtest_pointer(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    if (io->state == SND_PCM_STATE_XRUN)
        return -EPIPE;
    if (!st->running || io->state == SND_PCM_STATE_DISCONNECTED)
        return position(io, st->last_hw);

    check_control(st, false, false);
    if (st->cmd.gone) {
        /*
         * ioplug turns any negative pointer into XRUN (-EPIPE), so an unplug is
         * reported the way the kernel does: the PCM becomes DISCONNECTED, and
         * readi/wait/prepare then fail with -ENODEV until the handle is reopened.
         */
        io->state = SND_PCM_STATE_DISCONNECTED;
        return position(io, st->last_hw);
    }
    int64_t now = now_ns();
    if (st->xrun_pending) {
        /*
         * As if the reader had been descheduled for a buffer and a period: real time
         * passes while nothing is delivered, then the buffer has overflowed. The frames
         * of that time are lost, as in a real overrun, and a reader measuring the wall
         * clock sees a gap of the same length.
         */
        st->freeze_until_ns = now + (int64_t)((long double)(io->buffer_size + io->period_size) *
                                              NS_PER_SEC / st->fps);
        st->xrun_pending = false;
    }
    if (now < st->freeze_until_ns)
        return position(io, st->last_hw);
    int64_t hw = clock_frames(st, now) - st->start_frame;
    /*
     * A full buffer is an overrun, as with the kernel's default stop_threshold; it also
     * keeps the position unambiguous modulo buffer_size for ioplug's delta.
     */
    if (hw - (int64_t)io->appl_ptr >= (int64_t)io->buffer_size)
        return -EPIPE;
    st->last_hw = hw;
    return position(io, hw);
}

/* Called under the PCM lock with the frames at appl_ptr (rw read or mmap_begin). */
static snd_pcm_sframes_t isrtest_transfer(snd_pcm_ioplug_t* io, const snd_pcm_channel_area_t* areas,
                                          snd_pcm_uframes_t offset, snd_pcm_uframes_t size) {
    isrtest_t* st = io->private_data;
    uint64_t mask = st->format == SND_PCM_FORMAT_S16_LE ? 0xffffu : 0xffffffu;
    /* S32_LE carries the 24-bit counter in its top bytes, so it survives 24-bit files. */
    unsigned int shift = st->format == SND_PCM_FORMAT_S32_LE ? 8 : 0;
    unsigned int bytes = (unsigned int)snd_pcm_format_physical_width(st->format) / 8;
    uint64_t first = (uint64_t)(st->start_frame + (int64_t)io->appl_ptr);
    for (unsigned int c = 0; c < io->channels; c++) {
        const snd_pcm_channel_area_t* a = &areas[c];
        for (snd_pcm_uframes_t i = 0; i < size; i++) {
            uint64_t v = (((first + i) * io->channels + c) & mask) << shift;
            unsigned char* p = (unsigned char*)a->addr + (a->first + (offset + i) * a->step) / 8;
            for (unsigned int b = 0; b < bytes; b++) /* little endian */
                p[b] = (unsigned char)(v >> (8 * b));
        }
    }
    /* The reader's next wait ends avail_min frames after what it has now consumed. */
    arm_timer(st, io->appl_ptr + size);
    return (snd_pcm_sframes_t)size;
}

static int isrtest_start(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    check_control(st, true, false);
    if (st->cmd.gone) {
        io->state = SND_PCM_STATE_DISCONNECTED;
        return -ENODEV;
    }
    int64_t now = now_ns();
    if (!st->clock_started) {
        /* The counter starts at 0 on the first start, so a test can see a lost head. */
        st->clock_started = true;
        st->t0_ns = now;
        if (st->stalled)
            st->stall_since_ns = now;
    }
    st->start_frame = clock_frames(st, now);
    st->last_hw = 0;
    st->running = true;
    arm_timer(st, 0);
    return 0;
}

static int isrtest_stop(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    st->running = false;
    disarm_timer(st);
    return 0;
}

static int isrtest_prepare(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    st->running = false;
    st->last_hw = 0;
    disarm_timer(st);
    check_control(st, true, false);
    if (st->cmd.gone) {
        io->state = SND_PCM_STATE_DISCONNECTED;
        return -ENODEV;
    }
    return 0;
}

static int isrtest_hw_params(snd_pcm_ioplug_t* io, snd_pcm_hw_params_t* params) {
    (void)params;
    isrtest_t* st = io->private_data;
    st->avail_min = io->period_size; /* until sw_params says otherwise */
    return 0;
}

static int isrtest_sw_params(snd_pcm_ioplug_t* io, snd_pcm_sw_params_t* params) {
    isrtest_t* st = io->private_data;
    snd_pcm_uframes_t avail_min = 0;
    if (snd_pcm_sw_params_get_avail_min(params, &avail_min) == 0 && avail_min > 0)
        st->avail_min = avail_min;
    return 0;
}

static int isrtest_poll_descriptors_count(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    return st->inotify_fd >= 0 ? 2 : 1;
}

/* snd_pcm_wait() asks for the descriptors before each poll: a good moment to arm. */
static int isrtest_poll_descriptors(snd_pcm_ioplug_t* io, struct pollfd* pfd, unsigned int space) {
    isrtest_t* st = io->private_data;
    int fds[2] = {st->timer_fd, st->inotify_fd};
    unsigned int n = st->inotify_fd >= 0 ? 2 : 1;
    if (space < n)
        return -EINVAL;
    for (unsigned int i = 0; i < n; i++)
        pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    arm_timer(st, io->appl_ptr);
    return (int)n;
}

/*
 * Called without the PCM lock, so the hw pointer can be updated here: the timer only
 * says "look now"; the real answer is avail against avail_min, or an error state.
 */
static int isrtest_poll_revents(snd_pcm_ioplug_t* io, struct pollfd* pfd, unsigned int nfds,
                                unsigned short* revents) {
    isrtest_t* st = io->private_data;
    bool woken = false;
    *revents = 0;
    for (unsigned int i = 0; i < nfds; i++) {
        if (!(pfd[i].revents & POLLIN))
            continue;
        /* Empty the fd: the timer's expiration count, or a batch of inotify events. */
        char buf[4096] __attribute__((aligned(8)));
        while (read(pfd[i].fd, buf, sizeof buf) > 0) {
        }
        if (pfd[i].fd == st->timer_fd)
            st->armed_ns = 0; /* expired: the next arm_timer() must set it again */
        else
            check_control(st, true, false);
        woken = true;
    }
    if (!woken)
        return 0;

    snd_pcm_sframes_t avail = snd_pcm_avail_update(io->pcm);
    if (avail < 0 || in_error_state(st))
        *revents = POLLIN | POLLERR;
    else if (io->state == SND_PCM_STATE_RUNNING && (snd_pcm_uframes_t)avail >= st->avail_min)
        *revents = POLLIN;
    else
        arm_timer(st, io->appl_ptr);
    return 0;
}

static int isrtest_close(snd_pcm_ioplug_t* io) {
    isrtest_t* st = io->private_data;
    close(st->timer_fd);
    if (st->inotify_fd >= 0)
        close(st->inotify_fd);
    free(st->control_path);
    free(st);
    return 0;
}

static const snd_pcm_ioplug_callback_t isrtest_callbacks = {
    .start = isrtest_start,
    .stop = isrtest_stop,
    .pointer = isrtest_pointer,
    .transfer = isrtest_transfer,
    .close = isrtest_close,
    .hw_params = isrtest_hw_params,
    .sw_params = isrtest_sw_params,
    .prepare = isrtest_prepare,
    .poll_descriptors_count = isrtest_poll_descriptors_count,
    .poll_descriptors = isrtest_poll_descriptors,
    .poll_revents = isrtest_poll_revents,
};

/* "$ISRTEST_CONTROL_DIR/x.ctl" expands at open time, so each test run picks its own dir. */
static int resolve_control_path(const char* value, char** out) {
    const char *dir = "", *rest = value;
    *out = NULL;
    if (strncmp(value, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0) {
        dir = getenv(CONTROL_VAR);
        rest = value + strlen(CONTROL_PREFIX);
    }
    if (!dir || !*value || (rest != value && !*dir))
        return 0; /* an empty value or an unset variable: no control file */
    size_t len = strlen(dir) + strlen(rest) + 1;
    *out = malloc(len);
    if (!*out)
        return -ENOMEM;
    snprintf(*out, len, "%s%s", dir, rest);
    return 0;
}

/*
 * Watches the directory, not the file: the file may not exist yet, and tests may
 * replace it by rename.  Close-write and rename events mean the content is complete.
 */
static void watch_control_dir(isrtest_t* st) {
    st->inotify_fd = -1;
    if (!st->control_path)
        return;
    char* copy = strdup(st->control_path);
    int fd = copy ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
    if (fd >= 0 &&
        inotify_add_watch(fd, dirname(copy),
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
        close(fd);
        fd = -1;
    }
    free(copy);
    st->inotify_fd = fd;
}

static int set_constraints(isrtest_t* st) {
    static const unsigned int access[] = {SND_PCM_ACCESS_RW_INTERLEAVED,
                                          SND_PCM_ACCESS_MMAP_INTERLEAVED};
    unsigned int format = (unsigned int)st->format;
    unsigned int frame_bytes =
        st->channels * (unsigned int)snd_pcm_format_physical_width(st->format) / 8;
    /* One channel count, rate and format, like a simple card: other requests fail. */
    const unsigned int minmax[][3] = {
        {SND_PCM_IOPLUG_HW_CHANNELS, st->channels, st->channels},
        {SND_PCM_IOPLUG_HW_RATE, st->rate, st->rate},
        {SND_PCM_IOPLUG_HW_PERIOD_BYTES, 64 * frame_bytes, st->rate * frame_bytes},
        {SND_PCM_IOPLUG_HW_BUFFER_BYTES, 128 * frame_bytes, 4 * st->rate * frame_bytes},
        {SND_PCM_IOPLUG_HW_PERIODS, 2, 1024},
    };
    int err = snd_pcm_ioplug_set_param_list(&st->io, SND_PCM_IOPLUG_HW_ACCESS, 2, access);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_list(&st->io, SND_PCM_IOPLUG_HW_FORMAT, 1, &format);
    for (size_t i = 0; err >= 0 && i < sizeof minmax / sizeof minmax[0]; i++)
        err =
            snd_pcm_ioplug_set_param_minmax(&st->io, (int)minmax[i][0], minmax[i][1], minmax[i][2]);
    return err < 0 ? err : 0;
}

static int parse_config(isrtest_t* st, snd_config_t* conf, const char** control) {
    snd_config_iterator_t i, next;
    snd_config_for_each(i, next, conf) {
        snd_config_t* n = snd_config_iterator_entry(i);
        const char *id, *str;
        long value;
        double speed;
        if (snd_config_get_id(n, &id) < 0 || strcmp(id, "comment") == 0 ||
            strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
            continue;
        if (strcmp(id, "channels") == 0 && snd_config_get_integer(n, &value) == 0 && value >= 1 &&
            value <= 64) {
            st->channels = (unsigned int)value;
        } else if (strcmp(id, "rate") == 0 && snd_config_get_integer(n, &value) == 0 &&
                   value >= 1000 && value <= 768000) {
            st->rate = (unsigned int)value;
        } else if (strcmp(id, "format") == 0 && snd_config_get_string(n, &str) == 0 &&
                   (snd_pcm_format_value(str) == SND_PCM_FORMAT_S16_LE ||
                    snd_pcm_format_value(str) == SND_PCM_FORMAT_S32_LE ||
                    snd_pcm_format_value(str) == SND_PCM_FORMAT_S24_3LE)) {
            st->format = snd_pcm_format_value(str);
        } else if (strcmp(id, "speed") == 0 && snd_config_get_ireal(n, &speed) == 0 && speed > 0) {
            st->fps = (long double)speed; /* multiplied by the rate once all is parsed */
        } else if (strcmp(id, "control") == 0 && snd_config_get_string(n, &str) == 0) {
            *control = str;
        } else {
            SNDERR("isrtest: bad or unknown parameter %s", id);
            return -EINVAL;
        }
    }
    return 0;
}

SND_PCM_PLUGIN_DEFINE_FUNC(isrtest) {
    (void)root;
    if (stream != SND_PCM_STREAM_CAPTURE) {
        SNDERR("isrtest: capture only");
        return -EINVAL;
    }
    isrtest_t* st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    st->timer_fd = -1;
    st->inotify_fd = -1;
    st->channels = 2;
    st->rate = 48000;
    st->format = SND_PCM_FORMAT_S16_LE;
    st->fps = 1.0L;
    const char* control = NULL;
    int err = parse_config(st, conf, &control);
    if (err == 0 && control)
        err = resolve_control_path(control, &st->control_path);
    if (err < 0)
        goto fail;
    st->fps *= st->rate;

    check_control(st, true, true);
    if (st->cmd.busy || st->cmd.gone) {
        err = st->cmd.busy ? -EBUSY : -ENODEV;
        goto fail;
    }

    st->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (st->timer_fd < 0) {
        err = -errno;
        goto fail;
    }
    watch_control_dir(st);
    st->io.version = SND_PCM_IOPLUG_VERSION;
    st->io.name = "isrtest: counter signal for isr tests";
    /* No SND_PCM_IOPLUG_FLAG_MONOTONIC: like hw, status timestamps default to
     * gettimeofday, which arecord's overrun report subtracts from. */
    st->io.poll_fd = st->timer_fd;
    st->io.poll_events = POLLIN;
    st->io.callback = &isrtest_callbacks;
    st->io.private_data = st;
    err = snd_pcm_ioplug_create(&st->io, name, stream, mode);
    if (err < 0)
        goto fail;
    err = set_constraints(st);
    if (err < 0) {
        snd_pcm_ioplug_delete(&st->io); /* calls isrtest_close, which frees st */
        return err;
    }
    *pcmp = st->io.pcm;
    return 0;

fail:
    if (st->timer_fd >= 0)
        close(st->timer_fd);
    if (st->inotify_fd >= 0)
        close(st->inotify_fd);
    free(st->control_path);
    free(st);
    return err;
}

SND_PCM_PLUGIN_SYMBOL(isrtest)
