# ftrace-summary.awk: reads a tracefs `trace` file recorded by profile.sh (events
# sched_process_exec, sched_process_fork, raw_syscalls:sys_enter/sys_exit of one process
# tree) and summarises the runs of one runtime binary.
#   awk -v nrfile=/usr/include/x86_64-linux-gnu/asm/unistd_64.h -v target=/burrow \
#       -v out=PREFIX -f ftrace-summary.awk trace
# A run starts when a process execs a file whose name ends in `target`; that process is the
# runtime, the first child it forks is the init, which later execs the container process.
# Writes:
#   PREFIX.phases   one line per run: the 7 phase durations in ms (see profile.sh), "?"
#                   where an event is missing; the total (exec to exit_group); clone3 to
#                   the exec of the container process; that exec to the runtime's exit_group
#   PREFIX.syscalls who<TAB>syscall<TAB>calls per run<TAB>ms per run (in the kernel, from
#                   sys_enter to sys_exit; for a blocking call that is time spent waiting)
#                   <TAB>the median over the runs of the longest single call (ms)
#   PREFIX.runs     the number of runs seen
BEGIN {
  while ((getline l < nrfile) > 0)
    if (l ~ /^#define __NR_[a-z0-9_]+ [0-9]+$/) {
      split(l, a, " ")
      sysname[a[3]] = substr(a[2], 6)
    }
  runs = 0
}

function pid_of(line) {
  if (!match(line, /-[0-9]+ +\[[0-9]+\]/)) return -1
  return substr(line, RSTART + 1, RLENGTH) + 0
}

# insertion sort of v[1..n] (mawk has no asort)
function asort_n(v, n,   i, j, x) {
  for (i = 2; i <= n; i++) {
    x = v[i]
    for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
    v[j + 1] = x
  }
}

function mark(k, ts) {
  if (!((runs, k) in ev)) ev[runs, k] = ts
}

{
  pid = pid_of($0)
  if (pid < 0 || !match($0, / [0-9]+\.[0-9]+: /)) next
  ts = substr($0, RSTART + 1, RLENGTH - 3) * 1000.0   # ms
  rest = substr($0, RSTART + RLENGTH)

  if (rest ~ /^sched_process_exec:/) {
    file = rest
    sub(/.*filename=/, "", file)
    sub(/ pid=.*/, "", file)
    if (substr(file, length(file) - length(target) + 1) == target) {
      runs++
      runtime = pid
      init = -1
      execd = 0
      ev[runs, 0] = ts
    } else if (runs > 0 && pid == init) {
      execd = 1
      mark(5, ts)
    }
    next
  }
  if (rest ~ /^sched_process_fork:/) {
    if (runs > 0 && pid == runtime && init < 0) {
      c = rest
      sub(/.*child_pid=/, "", c)
      init = c + 0
    }
    next
  }
  if (runs == 0) next
  if (rest ~ /^sys_enter: NR /) {
    split(rest, f, " ")
    nr = f[3] + 0
    enter[pid] = ts
    enr[pid] = nr
    name = (nr in sysname) ? sysname[nr] : "NR" nr
    if (pid == runtime) {
      if (name == "clone3" || name == "clone") mark(1, ts)
      else if (name == "sendto" && ((runs, 1) in ev)) mark(2, ts)
      else if ((name == "rename" || name == "renameat2") && ((runs, 3) in ev)) mark(4, ts)
      else if (name == "wait4" || name == "waitid") mark(6, ts)
      else if (name == "exit_group") mark(7, ts)
    } else if (pid == init && !execd && name == "sendto") {
      mark(3, ts)
    }
    next
  }
  if (rest ~ /^sys_exit: NR /) {
    if (!(pid in enter)) next
    nr = enr[pid]
    name = (nr in sysname) ? sysname[nr] : "NR" nr
    if (pid == runtime) who = "runtime"
    else if (pid == init) who = execd ? "process" : "init"
    else who = ""
    if (who != "") {
      d = ts - enter[pid]
      tot[who "\t" name] += d
      cnt[who "\t" name]++
      if (d > longest[runs, who "\t" name]) longest[runs, who "\t" name] = d
    }
    delete enter[pid]
  }
}

END {
  for (r = 1; r <= runs; r++) {
    line = ""
    for (k = 1; k <= 7; k++) {
      if (((r, k) in ev) && ((r, k - 1) in ev))
        line = line sprintf("%.3f ", ev[r, k] - ev[r, k - 1])
      else
        line = line "? "
    }
    line = line (((r, 7) in ev) ? sprintf("%.3f", ev[r, 7] - ev[r, 0]) : "?")
    # 9: clone3 to the exec of the container process; 10: that exec to the runtime's
    # exit_group (the floor waits before its child execs, so wait4 cannot cut it)
    line = line " " ((((r, 5) in ev) && ((r, 1) in ev)) ? sprintf("%.3f", ev[r, 5] - ev[r, 1]) : "?")
    line = line " " ((((r, 7) in ev) && ((r, 5) in ev)) ? sprintf("%.3f", ev[r, 7] - ev[r, 5]) : "?")
    print line > (out ".phases")
  }
  for (k in tot) {
    # the median over the runs of the longest single call
    m = 0
    for (r = 1; r <= runs; r++) v[++m] = ((r, k) in longest) ? longest[r, k] : 0
    asort_n(v, m)
    med = m ? v[int((m + 1) / 2)] : 0
    printf "%s\t%.1f\t%.4f\t%.4f\n", k, cnt[k] / (runs ? runs : 1), tot[k] / (runs ? runs : 1), med > (out ".syscalls")
  }
  print runs > (out ".runs")
}
