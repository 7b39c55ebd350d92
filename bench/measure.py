#!/usr/bin/python3
"""Runs a command and reports what it cost: wall time, CPU time (user+sys) of the command and
all its descendants, and the peak of their summed resident memory, sampled every 50 ms from
/proc. Prints one JSON line. Usage: measure.py [--duration S] [--signal TERM] -- COMMAND...

With --duration, the command is stopped (SIGTERM to its process group) after S seconds, for
programs that run until told to stop (isrd, pipelines)."""
import json, os, signal, subprocess, sys, time

def tree(root):
    children = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(pid))
        except OSError:
            pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out

def rss_kb(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def main():
    args = sys.argv[1:]
    duration = None
    if args[:1] == ['--duration']:
        duration = float(args[1])
        args = args[2:]
    if args[:1] == ['--']:
        args = args[1:]
    start = time.monotonic()
    before = os.times()
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(rss_kb(p) for p in tree(proc.pid)))
        if duration is not None and time.monotonic() - start >= duration:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    wall = time.monotonic() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    print(json.dumps({"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_mb": round(peak / 1024, 1),
                      "exit": proc.returncode}))

main()
