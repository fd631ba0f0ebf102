/* walk.h - hardware page-table walkers over physical memory (one step
 * function per table format, after libkdumpfile's addrxlat).
 * src/walk_vtd.c, src/walk_amd.c; used by src/src_memory.c and cmd_tables.c. */
#ifndef IV_WALK_H
#define IV_WALK_H
#include "source.h"
#include "physmem.h"
/* (declarations added by the memory-walk work) */
#endif
