/* main.c: burrow-overlay: check the layers, mount (a directory, or /dev/fd/N: a /dev/fuse
   the caller mounted), daemonize once mounted, serve requests on several threads.
   The ops table below is the map of the filesystem. */
#include "config.h"
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
ovl_init (void *userdata, struct fuse_conn_info *conn)
{
  unsigned want = FUSE_CAP_SPLICE_WRITE | FUSE_CAP_PARALLEL_DIROPS | FUSE_CAP_READDIRPLUS
                  | FUSE_CAP_ASYNC_READ;
  conn->want |= want & conn->capable;
  /* no writeback cache: with it the kernel trusts only its own idea of a file's size, and
     the names of a hard-linked file may be several kernel inodes (untar is no faster) */
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  /* always readdirplus: `find` and `ls -l` read a whole directory before they stat it, and
     the auto mode would answer all but the first page without attributes */
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  /* we clear suid/sgid on writes, truncations and chowns (killpriv.c), which spares the
     kernel a GETATTR before each chown (tar: one round trip of nine per file);
     device_io.c makes the flag reach the kernel */
  struct ovl_fs *fs = userdata;
  fs->killpriv = conn->capable & FUSE_CAP_HANDLE_KILLPRIV;
  if (fs->killpriv)
    conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
  conn->want &= ~FUSE_CAP_POSIX_ACL;
  /* over io_uring, replies go into the ring's buffers: none may be spliced to /dev/fuse
     (reads go straight into the ring, file_ops.c) */
  if (ovl_uring_offered ())
    conn->want &= ~FUSE_CAP_SPLICE_WRITE;
  conn->time_gran = 1;
  /* sequential reads in 1 MiB requests rather than 128 KiB */
  conn->max_readahead = 1 << 20;
}

static const struct fuse_lowlevel_ops ovl_ops = {
  .init = ovl_init,
  .lookup = ovl_lookup,
  .forget = ovl_forget,
  .forget_multi = ovl_forget_multi,
  .getattr = ovl_getattr,
  .setattr = ovl_setattr,
  .readlink = ovl_readlink,
  .mknod = ovl_mknod,
  .mkdir = ovl_mkdir,
  .unlink = ovl_unlink,
  .rmdir = ovl_rmdir,
  .symlink = ovl_symlink,
  .rename = ovl_rename,
  .link = ovl_link,
  .open = ovl_open,
  .read = ovl_read,
  .write_buf = ovl_write_buf,
  /* no flush: nothing to do on close, and the kernel stops sending it after one ENOSYS */
  .release = ovl_release,
  .fsync = ovl_fsync,
  .opendir = ovl_opendir,
  .readdir = ovl_readdir,
  .readdirplus = ovl_readdirplus,
  .releasedir = ovl_releasedir,
  .fsyncdir = ovl_fsyncdir,
  .statfs = ovl_statfs,
  .setxattr = ovl_setxattr,
  .getxattr = ovl_getxattr,
  .listxattr = ovl_listxattr,
  .removexattr = ovl_removexattr,
  .create = ovl_create,
  .fallocate = ovl_fallocate,
  .lseek = ovl_lseek,
};

/* The root: every layer's root merged, down to the first opaque one. */
static int
setup_root (struct ovl_fs *fs)
{
  struct ovl_node *root = fs->root;
  root->type = S_IFDIR;
  root->layer = -1;
  for (int l = fs->has_upper ? 0 : 1; l < fs->n_layers; l++)
    {
      struct stat st;
      if (fstat (fs->layers[l].fd, &st) < 0)
        return -1;
      if (root->layer < 0)
        {
          root->layer = l;
          root->ino = st.st_ino;
        }
      root->dir_layers |= 1ULL << l;
      if (ovl_is_opaque (fs, l, ".") > 0)
        break;
    }
  return 0;
}

/* Whether this is the initial user namespace: its uid_map maps every id to itself. */
static bool
in_initial_userns (void)
{
  FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned long inside, outside, count;
  bool init = f && fscanf (f, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0
              && outside == 0 && count == 4294967295UL;
  if (f)
    fclose (f);
  return init;
}

static bool
is_dev_fd (const char *mountpoint)
{
  return strncmp (mountpoint, "/dev/fd/", 8) == 0;
}

static int
check_mountpoint (const char *mp)
{
  struct stat st;
  if (is_dev_fd (mp))
    {
      char *end;
      long fd = strtol (mp + 8, &end, 10);
      if (*end || end == mp + 8 || fd < 0 || fcntl ((int)fd, F_GETFD) < 0)
        {
          fprintf (stderr, "burrow-overlay: mountpoint %s: not an open file descriptor\n", mp);
          return -1;
        }
      return 0;
    }
  if (stat (mp, &st) < 0)
    {
      fprintf (stderr, "burrow-overlay: mountpoint %s: %s\n", mp, strerror (errno));
      return -1;
    }
  if (!S_ISDIR (st.st_mode))
    {
      fprintf (stderr, "burrow-overlay: mountpoint %s: not a directory\n", mp);
      return -1;
    }
  return 0;
}

static char *
mount_options (struct ovl_fs *fs)
{
  const char *extra = fs->opt.fuse_opts ? fs->opt.fuse_opts : "";
  char *s = NULL;
  if (asprintf (&s, "default_permissions,fsname=burrow-overlay,subtype=burrow-overlay%s%s%s%s",
                fs->euid == 0 ? ",allow_other" : "", fs->has_upper ? "" : ",ro", *extra ? "," : "",
                extra)
      < 0)
    return NULL;
  return s;
}

static int
serve (struct ovl_fs *fs)
{
  char *opts = mount_options (fs);
  if (!opts)
    return 1;
  char *argv[] = { "burrow-overlay", "-o", opts, fs->opt.debug ? "-d" : NULL, NULL };
  struct fuse_args args = FUSE_ARGS_INIT (fs->opt.debug ? 4 : 3, argv);
  int rc = 1;
  struct fuse_session *se = fuse_session_new (&args, &ovl_ops, sizeof ovl_ops, fs);
  if (!se)
    {
      fprintf (stderr, "burrow-overlay: bad FUSE options: %s\n", opts);
      goto out;
    }
  if (fuse_set_signal_handlers (se) < 0)
    goto out_session;
  if (fuse_session_mount (se, fs->opt.mountpoint) < 0)
    {
      fprintf (stderr, "burrow-overlay: cannot mount on %s (see the message above)\n",
               fs->opt.mountpoint);
      goto out_signals;
    }
  ovl_push_init (fs, fuse_session_fd (se));
  /* io_uring on the single-threaded loop only: its requests are answered in order */
  if (ovl_device_io (se, fs->opt.io_uring && fs->opt.threads <= 1, fs->opt.debug) < 0)
    goto out_unmount;
  if (fuse_daemonize (fs->opt.foreground) < 0)
    goto out_unmount;
  struct fuse_loop_config *cfg = fuse_loop_cfg_create ();
  if (!cfg)
    goto out_unmount;
  /* a clone of the fd needs /dev/fuse, which a container may not have */
  fuse_loop_cfg_set_clone_fd (cfg, !is_dev_fd (fs->opt.mountpoint));
  fuse_loop_cfg_set_idle_threads (cfg, 1);
  /* one thread by default: on a small machine a request handed between threads costs
     several times its work (ls -l of 10k files: 0.26 s on one thread, 1.0 s on four) */
  if (fs->opt.threads > 1)
    {
      fuse_loop_cfg_set_max_threads (cfg, fs->opt.threads);
      rc = fuse_session_loop_mt (se, cfg) < 0 ? 1 : 0;
    }
  else
    rc = ovl_session_loop (se) < 0 ? 1 : 0;
  fuse_loop_cfg_destroy (cfg);
  ovl_push_end ();
out_unmount:
  fuse_session_unmount (se);
out_signals:
  fuse_remove_signal_handlers (se);
out_session:
  fuse_session_destroy (se);
out:
  free (opts);
  fuse_opt_free_args (&args);
  return rc;
}

int
main (int argc, char **argv)
{
  static struct ovl_fs fs;
  int r = ovl_parse_args (argc, argv, &fs.opt);
  if (r != 0)
    return r < 0 ? 2 : 0;
  fs.euid = geteuid ();
  fs.egid = getegid ();
  fs.init_userns = in_initial_userns ();
  fs.timeout = 86400.0;
  pthread_mutex_init (&fs.lock, NULL);
  umask (0);
  int rc = 1;
  if (ovl_layers_open (&fs) < 0 || check_mountpoint (fs.opt.mountpoint) < 0)
    goto out;
  ovl_whiteout_probe (&fs);
  if (ovl_table_init (&fs) < 0 || setup_root (&fs) < 0)
    {
      fprintf (stderr, "burrow-overlay: out of memory\n");
      goto out;
    }
  rc = serve (&fs);
out:
  ovl_table_free (&fs);
  ovl_layers_close (&fs);
  ovl_options_free (&fs.opt);
  return rc;
}
