#pragma once

namespace isr::test {

// What /proc tells about a running process (Linux). -1 when it cannot be read.
long rss_kib(int pid);       // resident memory now (VmRSS)
long peak_rss_kib(int pid);  // the most it has been (VmHWM)
int open_fds(int pid);       // entries in /proc/PID/fd
double cpu_seconds(int pid); // user + system time so far

} // namespace isr::test
