# shellcheck shell=bash
# cgroup_files.bash: where a container's cgroup files are, as the host sees them, for the
# pause, update and events tests (`load ../cgroup_files` after `load ../helpers`).

# cgroup_mount v1-CONTROLLER | "": the mount point of that v1 controller's hierarchy, or of
# cgroup2 for "".
cgroup_mount ()
{
  awk -v c="$1" '{
      for (i = 7; $i != "-"; i++) ;
      fstype = $(i + 1); opts = $(i + 3)
      if (c == "" && fstype == "cgroup2") { print $5; exit }
      if (c != "" && fstype == "cgroup" && ("," opts ",") ~ ("," c ",")) { print $5; exit }
    }' /proc/self/mountinfo
}

# cgroup_dir PID v1-CONTROLLER | "": PID's cgroup directory in that hierarchy.
cgroup_dir ()
{
  local pid=$1 ctrl=$2 path mnt
  if [[ -z $ctrl ]]; then
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
  else
    path=$(awk -F: -v c="$ctrl" '{
        n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
      "/proc/$pid/cgroup")
  fi
  mnt=$(cgroup_mount "$ctrl")
  [[ -n $path && -n $mnt && -d $mnt$path ]] || return 1
  echo "${mnt}${path%/}"
}

# cgroup_file PID FILE: the path of FILE (pids.max, memory.limit_in_bytes, ...) in the
# container's own cgroup: its v1 controller's directory (root mode only: a rootless
# container has no v1 cgroup of its own, its v1 lines are the caller's), else its cgroup2
# directory. Fails when the cgroup has no such file.
cgroup_file ()
{
  local pid=$1 file=$2 dir
  if ! is_rootless && dir=$(own_cgroup_dir "$pid" "${file%%.*}") && [[ -e $dir/$file ]]; then
    echo "$dir/$file"
    return 0
  fi
  if dir=$(own_cgroup_dir "$pid" "") && [[ -e $dir/$file ]]; then
    echo "$dir/$file"
    return 0
  fi
  return 1
}

# own_cgroup_dir PID CONTROLLER: cgroup_dir, unless it is this shell's cgroup too (the
# container has none of its own there).
own_cgroup_dir ()
{
  local dir
  dir=$(cgroup_dir "$1" "$2") || return 1
  [[ $dir != "$(cgroup_dir "$BASHPID" "$2" 2>/dev/null)" ]] || return 1
  echo "$dir"
}

# no_cgroup_file FILE: skip, saying which controller the container's cgroup lacks.
# (Use as `file=$(cgroup_file "$pid" pids.max) || no_cgroup_file pids.max`: a skip inside
# $(...) would only leave the subshell.)
no_cgroup_file ()
{
  local where="hierarchy"
  is_rootless && where="delegated cgroup2 subtree"
  skip "the container's cgroup has no $1 here (no ${1%%.*} controller in its $where)"
}

# cpu_ticks PID: user + system clock ticks of PID so far.
cpu_ticks ()
{
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
