/* idmapped_mounts.h: idmapped bind mounts (mounts[].uidMappings/gidMappings, `idmap`,
   `ridmap`): made by the runtime before clone, attached by the init. */
#ifndef BURROW_IDMAPPED_MOUNTS_H
#define BURROW_IDMAPPED_MOUNTS_H

#include "burrow.h"
#include "spec.h"

#include <stdbool.h>
#include <stddef.h>

/* Runtime side, before clone: for each mounts[i] that asks for an idmap (uidMappings,
   gidMappings, `idmap` or `ridmap`), an fd of a detached, recursively private, idmapped
   clone of its source (else -1). Mappings follow the runtime spec: containerID is the id
   on the source filesystem, hostID the id it shows as outside any user namespace; `idmap`
   without mappings takes linux.uidMappings/gidMappings. *fds_out is malloc'd,
   spec->n_mounts long, or NULL (and nothing is done) when no mount asks. privileged: the
   caller is root on the host; an unprivileged caller gets a clear error instead. */
int burrow_idmapped_prepare (const struct burrow_spec *spec, bool privileged, int **fds_out,
                             struct burrow_error *err);
/* Init side: attach the prepared tree at target_fd (an O_PATH fd from
   burrow_mkpath_in_root). The mount's other flags are applied afterwards by the caller. */
int burrow_idmapped_attach (int tree_fd, int target_fd, const char *destination,
                            struct burrow_error *err);
/* Close every fd >= 0 of fds and free the array; fds may be NULL. */
void burrow_idmapped_close (int *fds, size_t n);

#endif
