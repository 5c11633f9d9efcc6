/* init_sequence.h: the steps the container's init runs, in order (see init_sequence.c). */
#ifndef BURROW_INIT_SEQUENCE_H
#define BURROW_INIT_SEQUENCE_H

#include "init_spawn.h"

#endif
