/* overlay.h: burrow-overlay's shared types: options, layers, the inode table and the
   operations each file of the filesystem provides. */
#ifndef BURROW_OVERLAY_H
#define BURROW_OVERLAY_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

/* layers[0] is the upper layer (fd -1 on a lowerdir-only mount), layers[1..] the lowers,
   top first. A directory's contributing layers are a bitmask, hence the limit. */
#define OVL_MAX_LAYERS 64
#define OVL_UPPER 0

/* Overlay-private names. */
#define OVL_WH_PREFIX ".wh."
#define OVL_WH_PREFIX_LEN 4
#define OVL_OPAQUE_FILE ".wh..wh..opq"

struct ovl_idmap
{
  uint32_t container;
  uint32_t host;
  uint32_t count;
};

struct ovl_options
{
  char *lowerdir; /* as given: A:B:C */
  char *upperdir;
  char *workdir;
  char *mountpoint;
  struct ovl_idmap *uidmap;
  size_t n_uidmap;
  struct ovl_idmap *gidmap;
  size_t n_gidmap;
  long squash_uid; /* -1: no squashing */
  long squash_gid;
  bool static_nlink;
  bool noacl;
  bool fsync;
  int threads;   /* >1: the multi-threaded loop */
  bool io_uring; /* take requests over io_uring when the kernel offers it (one thread) */
  bool foreground;
  bool debug;
  char *fuse_opts; /* options passed through to the FUSE mount, comma-separated */
};

struct ovl_layer
{
  int fd;     /* O_PATH|O_DIRECTORY of the layer's root */
  char *path; /* absolute */
  dev_t dev;
};

enum
{
  OVL_XATTRS_UNKNOWN,
  OVL_XATTRS_NONE,
  OVL_XATTRS_SOME
};

/* One name of the merged tree the kernel knows about (or a parent of one). */
struct ovl_node
{
  uint64_t id; /* the FUSE nodeid */
  struct ovl_node *parent;
  char *name;
  struct ovl_node *next_by_name;
  struct ovl_node *next_by_id;
  uint64_t nlookup;              /* references the kernel holds */
  uint64_t nchildren;            /* nodes whose parent this is */
  ino_t ino;                     /* st_ino shown: stable across copy-up */
  mode_t type;                   /* S_IFMT bits */
  int layer;                     /* topmost layer that holds it */
  uint64_t dir_layers;           /* directories: layers whose copy is merged in, top first */
  struct ovl_node *alias_parent; /* a hard link made through the mount */
  char *alias_name;
  uint8_t xattrs; /* OVL_XATTRS_*: whether the file has any xattr */
  bool hashed;    /* reachable by (parent, name) */
  bool written;   /* opened for writing once: page cache not kept */
};

struct ovl_fs
{
  struct ovl_options opt;
  struct ovl_layer layers[OVL_MAX_LAYERS];
  int n_layers; /* including the upper slot */
  bool has_upper;
  int work_fd;              /* workdir/burrow: temporary files of copy-up */
  bool whiteout_dev_ok;     /* mknod c 0 0 allowed; else .wh.NAME files */
  const char *opaque_xattr; /* trusted.overlay.opaque, user.overlay.opaque or NULL */
  uid_t euid;
  gid_t egid;
  bool init_userns; /* the helper runs in the initial user namespace */
  bool killpriv;    /* the kernel leaves all clearing of suid/sgid to us (killpriv.c) */
  double timeout;
  pthread_mutex_t lock;     /* guards the inode table and every name operation */
  uint64_t push_ino;        /* the node push.c is storing a piece of (0: none) */
  pthread_cond_t push_done; /* push_ino changed */
  bool push_raced;          /* a copy-up of push_ino went on without waiting for it */
  uint64_t next_id;
  uint64_t tmp_counter;
  struct ovl_node *root;
  struct ovl_node **by_name;
  struct ovl_node **by_id;
  size_t n_buckets;
  size_t n_nodes;
  struct ovl_inomap *inomap;
};

/* device_io.c: the /dev/fuse I/O that makes FUSE_CAP_HANDLE_KILLPRIV reach the kernel */
int ovl_device_io (struct fuse_session *se, bool io_uring, bool debug);
bool ovl_uring_offered (void); /* the INIT request offers io_uring and we will take it */

/* uring.c: the request loop, over /dev/fuse or io_uring */
int ovl_session_loop (struct fuse_session *se);
int ovl_uring_prepare (struct fuse_session *se, int fd, size_t payload_size);
int ovl_uring_start (bool replied, bool debug);
bool ovl_uring_reply (const struct iovec *iov, int count, ssize_t *written);
void *ovl_uring_payload (size_t *size);

/* push.c: read-ahead of lower files into the kernel's page cache */
void ovl_push_init (struct ovl_fs *fs, int dev_fd);
void ovl_push_read (fuse_ino_t ino, int fd, off_t off, size_t size);
void ovl_push_wait (struct ovl_fs *fs, const struct ovl_node *node);
void ovl_push_end (void);

/* options.c */
int ovl_parse_args (int argc, char **argv, struct ovl_options *opt);
void ovl_options_free (struct ovl_options *opt);
extern const char ovl_usage[];

/* idmap.c: ids on disk (host) and ids shown to the kernel (container) */
int ovl_parse_idmap (const char *spec, struct ovl_idmap **out, size_t *n);
uid_t ovl_uid_to_container (const struct ovl_fs *fs, uid_t host);
gid_t ovl_gid_to_container (const struct ovl_fs *fs, gid_t host);
uid_t ovl_uid_to_host (const struct ovl_fs *fs, uid_t container);
gid_t ovl_gid_to_host (const struct ovl_fs *fs, gid_t container);

/* layers.c */
int ovl_layers_open (struct ovl_fs *fs);
void ovl_layers_close (struct ovl_fs *fs);

/* whiteout.c */
bool ovl_is_whiteout_stat (const struct stat *st);
int ovl_has_whiteout_file (struct ovl_fs *fs, int layer, const char *dirpath, const char *name);
int ovl_is_opaque (struct ovl_fs *fs, int layer, const char *path);
int ovl_make_whiteout (struct ovl_fs *fs, const char *dirpath, const char *name);
int ovl_remove_whiteout (struct ovl_fs *fs, const char *dirpath, const char *name);
int ovl_set_opaque (struct ovl_fs *fs, const char *path);
bool ovl_is_private_name (const char *name);
bool ovl_is_private_xattr (const char *name);
void ovl_whiteout_probe (struct ovl_fs *fs);

/* inode.c: the inode table */
int ovl_table_init (struct ovl_fs *fs);
void ovl_table_free (struct ovl_fs *fs);
struct ovl_node *ovl_node_get (struct ovl_fs *fs, fuse_ino_t id);
struct ovl_node *ovl_node_find (struct ovl_fs *fs, struct ovl_node *parent, const char *name);
struct ovl_node *ovl_node_new (struct ovl_fs *fs, struct ovl_node *parent, const char *name);
void ovl_node_unhash (struct ovl_fs *fs, struct ovl_node *node);
int ovl_node_move (struct ovl_fs *fs, struct ovl_node *node, struct ovl_node *parent,
                   const char *name);
int ovl_node_set_alias (struct ovl_fs *fs, struct ovl_node *node, struct ovl_node *parent,
                        const char *name);
int ovl_node_follow_alias (struct ovl_fs *fs, struct ovl_node *node);
void ovl_node_forget (struct ovl_fs *fs, struct ovl_node *node, uint64_t n);
int ovl_node_path (const struct ovl_node *node, char *buf, size_t size);
int ovl_child_path (const struct ovl_node *parent, const char *name, char *buf, size_t size);
void ovl_inomap_set (struct ovl_fs *fs, ino_t upper, ino_t origin);
ino_t ovl_inomap_get (struct ovl_fs *fs, ino_t upper);
void ovl_inomap_drop (struct ovl_fs *fs, ino_t upper);

/* lookup.c: resolving names across layers */
struct ovl_found
{
  int layer;          /* -1: no such name */
  int whiteout_layer; /* where a whiteout hid the name, -1: none */
  struct stat st;
  uint64_t dir_layers;
};
int ovl_resolve (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                 struct ovl_found *found);
int ovl_exists_below (struct ovl_fs *fs, struct ovl_node *parent, const char *name, int below);
/* parent/name's node (made when new, no kernel reference: forget it with 0 when done) */
int ovl_child_node (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                    struct ovl_found *found, struct ovl_node **out);
int ovl_lookup_entry (struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                      struct fuse_entry_param *e, struct ovl_node **out);
int ovl_node_stat (struct ovl_fs *fs, struct ovl_node *node, struct stat *st);
void ovl_fill_entry (struct ovl_fs *fs, struct ovl_node *node, const struct stat *st,
                     struct fuse_entry_param *e);
double ovl_attr_timeout (struct ovl_fs *fs, const struct stat *st);
void ovl_stat_present (struct ovl_fs *fs, struct ovl_node *node, struct stat *st);
int ovl_check_name (const char *name);
void ovl_lookup (fuse_req_t req, fuse_ino_t parent, const char *name);
void ovl_forget (fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void ovl_forget_multi (fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void ovl_reply_attr (fuse_req_t req, int r, const struct stat *st);
void ovl_getattr (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovl_readlink (fuse_req_t req, fuse_ino_t ino);

/* copy_up.c */
int ovl_copy_up (struct ovl_fs *fs, struct ovl_node *node, bool with_data);
int ovl_copy_up_tree (struct ovl_fs *fs, struct ovl_node *node);
int ovl_tmp_name (struct ovl_fs *fs, char *buf, size_t size);
int ovl_set_owner (struct ovl_fs *fs, const char *path, fuse_req_t req, bool setgid_parent);

/* merged_dir.c: the merged listing of one directory */
struct ovl_dirent
{
  char *name;
  ino_t ino;
  unsigned char type;
};
struct ovl_dirlist
{
  struct ovl_dirent *ents;
  size_t n;
  size_t cap;
};
int ovl_dir_list (struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *out,
                  bool stop_at_first);
void ovl_dirlist_free (struct ovl_dirlist *list);
int ovl_clear_upper_dir (struct ovl_fs *fs, const char *path);

/* dir_ops.c */
void ovl_opendir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovl_readdir (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                  struct fuse_file_info *fi);
void ovl_readdirplus (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi);
void ovl_releasedir (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovl_fsyncdir (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* name_ops.c: operations that make or remove names */
void ovl_mkdir (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void ovl_mknod (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void ovl_symlink (fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void ovl_link (fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void ovl_unlink (fuse_req_t req, fuse_ino_t parent, const char *name);
void ovl_rmdir (fuse_req_t req, fuse_ino_t parent, const char *name);
void ovl_create (fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                 struct fuse_file_info *fi);
int ovl_prepare_new_name (struct ovl_fs *fs, struct ovl_node *parent, const char *name, char *path,
                          size_t size, bool *below);

/* rename.c */
void ovl_rename (fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                 const char *newname, unsigned int flags);

/* file_ops.c */
void ovl_open (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovl_read (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void ovl_write_buf (fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
                    struct fuse_file_info *fi);
void ovl_release (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void ovl_fsync (fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void ovl_fallocate (fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                    struct fuse_file_info *fi);
void ovl_lseek (fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);
int ovl_open_flags (int flags);

/* killpriv.c */
mode_t ovl_kill_bits (fuse_req_t req, mode_t mode, gid_t gid, bool chown);
int ovl_kill_privs_fd (fuse_req_t req, int fd, bool chown, bool caps);

/* setattr.c */
void ovl_setattr (fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                  struct fuse_file_info *fi);

/* xattr_ops.c */
void ovl_setxattr (fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size,
                   int flags);
void ovl_getxattr (fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void ovl_listxattr (fuse_req_t req, fuse_ino_t ino, size_t size);
void ovl_removexattr (fuse_req_t req, fuse_ino_t ino, const char *name);
void ovl_statfs (fuse_req_t req, fuse_ino_t ino);
int ovl_copy_xattrs (const char *src, const char *dst);

/* fi->fh of a file: the layer's fd; OVL_FH_DIRECT marks a handle the kernel writes to
   directly (direct_io), whose writes skip the kernel's clearing of suid, sgid and
   security.capability (killpriv.c does it). */
#define OVL_FH_DIRECT (1ULL << 32)
/* and OVL_FH_LOWER a lower layer's file, which nothing writes while the mount lives */
#define OVL_FH_LOWER (1ULL << 33)

static inline int
ovl_fh_fd (const struct fuse_file_info *fi)
{
  return (int)(fi->fh & 0xffffffffu);
}

static inline struct ovl_fs *
ovl_fs_of (fuse_req_t req)
{
  return fuse_req_userdata (req);
}

/* layer root + "/" + path: for the xattr calls that have no *at() form */
int ovl_abs_path (struct ovl_fs *fs, int layer, const char *path, char *buf, size_t size);

#endif
